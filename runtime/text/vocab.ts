/**
 * Word-level tokenizer and vocabulary shared by goe's language models and text classifiers, saved with
 * each model as `vocab.json` so a model always reads text the way it was trained.
 *
 * Hand-written rather than a BPE package: the issue asks for word level with `<unk>`, the rule is one
 * regular expression, and the same function must cut Brown's pre-tokenised text and raw mail alike.
 */

/**
 * Words (letters/digits, with inner apostrophes: "don't", "atlanta's") or single punctuation marks,
 * lower-cased; a literal `<unk>` (as decoded text shows it) stays one token, so decode → encode is identity.
 */
const TOKEN = /<unk>|[\p{L}\p{N}]+(?:['’][\p{L}]+)*|[^\s\p{L}\p{N}]/gu;

/** Splits text into lower-case word and punctuation tokens. */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? [];
}

export const UNK = '<unk>';

/** `vocab.json`: the token list; a token's id is its index. Specials first (`<unk>` = 0, class tokens). */
export interface VocabFile {
  kind: 'goe-word-vocab';
  lowercase: true;
  tokens: string[];
  /** How many leading tokens are specials (never produced by {@link tokenize}; never sampled as words). */
  specials: number;
}

export class Vocab {
  readonly tokens: readonly string[];
  readonly specials: number;
  readonly #ids: Map<string, number>;

  constructor(file: VocabFile) {
    if (file.kind !== 'goe-word-vocab' || file.tokens[0] !== UNK) {
      throw new Error('not a goe word vocabulary (expected kind goe-word-vocab with <unk> first)');
    }
    this.tokens = file.tokens;
    this.specials = file.specials;
    this.#ids = new Map(file.tokens.map((t, i) => [t, i]));
  }

  get size(): number {
    return this.tokens.length;
  }

  /** Id of `token`, or of `<unk>` (0). */
  id(token: string): number {
    return this.#ids.get(token) ?? 0;
  }

  encode(text: string): Int32Array {
    return Int32Array.from(tokenize(text), (t) => this.id(t));
  }

  /** Tokens joined with spaces (the detokenisation is lossy on purpose: outliers are read, not published). */
  decode(ids: ArrayLike<number>): string {
    const out: string[] = [];
    for (let i = 0; i < ids.length; i++) out.push(this.tokens[ids[i]] ?? UNK);
    return out.join(' ');
  }

  toJSON(): VocabFile {
    return { kind: 'goe-word-vocab', lowercase: true, tokens: [...this.tokens], specials: this.specials };
  }

  /**
   * The `size` − specials most frequent tokens of `counts` (ties broken alphabetically, so the vocabulary
   * is a function of the data alone) after the specials.
   */
  static fromCounts(counts: Map<string, number>, size: number, specials: readonly string[]): Vocab {
    const words = [...counts.entries()]
      .filter(([w]) => !specials.includes(w))
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, size - specials.length - 1)
      .map(([w]) => w);
    return new Vocab({
      kind: 'goe-word-vocab',
      lowercase: true,
      tokens: [UNK, ...specials, ...words],
      specials: specials.length + 1,
    });
  }
}
