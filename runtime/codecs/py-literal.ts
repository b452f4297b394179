/**
 * A parser for the small subset of Python literal syntax that `.npy` headers use: a dict of string keys
 * to strings, integers, booleans, `None`, tuples and lists. NumPy writes the header with `repr()` and
 * reads it with `ast.literal_eval`; this is the safe subset of the latter, enough for every header NumPy
 * has written (including Python 2's `3L` integers), never an evaluator.
 */

/** A parsed Python literal. Tuples and lists both become arrays. */
export type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

/** Thrown for text outside the supported subset; `position` is the character index. */
export class PyLiteralError extends Error {
  override readonly name = 'PyLiteralError';
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at character ${position}`);
  }
}

/** Parses one Python literal filling the whole of `text` (surrounding whitespace allowed). */
export function parsePyLiteral(text: string): PyValue {
  const parser = new Parser(text);
  const value = parser.value();
  parser.skipSpace();
  if (!parser.atEnd()) throw new PyLiteralError('unexpected trailing text', parser.pos);
  return value;
}

class Parser {
  pos = 0;
  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  skipSpace(): void {
    while (!this.atEnd() && /\s/.test(this.text[this.pos])) this.pos += 1;
  }

  value(): PyValue {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === '{') return this.dict();
    if (c === '(') return this.sequence(')');
    if (c === '[') return this.sequence(']');
    if (c === "'" || c === '"') return this.string();
    if (c === '-' || c === '+' || (c >= '0' && c <= '9')) return this.integer();
    for (const [word, value] of [
      ['True', true],
      ['False', false],
      ['None', null],
    ] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    throw new PyLiteralError(
      c === undefined ? 'unexpected end' : `unexpected ${JSON.stringify(c)}`,
      this.pos,
    );
  }

  dict(): { [key: string]: PyValue } {
    this.pos += 1; // {
    // A null-prototype object, so a header key like "__proto__" is data, not a prototype change.
    const out: { [key: string]: PyValue } = Object.create(null);
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === '}') {
        this.pos += 1;
        return out;
      }
      const keyAt = this.pos;
      const key = this.value();
      if (typeof key !== 'string') throw new PyLiteralError('dict keys must be strings', keyAt);
      if (Object.hasOwn(out, key)) throw new PyLiteralError(`duplicate key ${JSON.stringify(key)}`, keyAt);
      this.skipSpace();
      this.expect(':');
      out[key] = this.value();
      this.skipSpace();
      if (this.text[this.pos] === ',') this.pos += 1;
      else if (this.text[this.pos] !== '}') throw new PyLiteralError("expected ',' or '}'", this.pos);
    }
  }

  sequence(close: ')' | ']'): PyValue[] {
    this.pos += 1; // ( or [
    const out: PyValue[] = [];
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === close) {
        this.pos += 1;
        return out;
      }
      out.push(this.value());
      this.skipSpace();
      if (this.text[this.pos] === ',') this.pos += 1;
      else if (this.text[this.pos] !== close)
        throw new PyLiteralError(`expected ',' or '${close}'`, this.pos);
    }
  }

  string(): string {
    const quote = this.text[this.pos];
    const start = this.pos;
    this.pos += 1;
    let out = '';
    for (;;) {
      if (this.atEnd()) throw new PyLiteralError('unterminated string', start);
      const c = this.text[this.pos];
      this.pos += 1;
      if (c === quote) return out;
      if (c === '\\') {
        // Only the escapes repr() emits for the ASCII strings found in headers.
        const e = this.text[this.pos];
        this.pos += 1;
        const escapes: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', r: '\r' };
        if (e === undefined || !(e in escapes)) throw new PyLiteralError('unsupported escape', this.pos - 2);
        out += escapes[e];
      } else {
        out += c;
      }
    }
  }

  integer(): number {
    const match = /^[-+]?\d+L?/.exec(this.text.slice(this.pos, this.pos + 64));
    if (match === null) throw new PyLiteralError('bad number', this.pos);
    const start = this.pos;
    this.pos += match[0].length;
    const value = Number(match[0].replace('L', ''));
    if (!Number.isSafeInteger(value)) throw new PyLiteralError('integer out of range', start);
    return value;
  }

  expect(c: string): void {
    if (this.text[this.pos] !== c) throw new PyLiteralError(`expected '${c}'`, this.pos);
    this.pos += 1;
  }
}
