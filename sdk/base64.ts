/**
 * Strict base64 (RFC 4648 §4) decoding straight into a caller's buffer, so a row's pixels land in their
 * batch without an intermediate copy. Pure JS: the SDK also runs where `Buffer` does not exist.
 */

const LOOKUP = new Int16Array(128).fill(-1);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries()) {
  LOOKUP[c.charCodeAt(0)] = i;
}

/** Decoded length of a padded base64 string, or -1 if its length is not a multiple of 4. */
export function base64Length(text: string): number {
  if (text.length % 4 !== 0) return -1;
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return (text.length / 4) * 3 - pad;
}

/**
 * Decodes `text` into `out` at `offset`; returns the bytes written. Throws `RangeError` on a character
 * outside the alphabet, bad padding, or when `out` is too small.
 */
export function decodeBase64Into(text: string, out: Uint8Array, offset = 0): number {
  const length = base64Length(text);
  if (length < 0) throw new RangeError(`base64 length ${text.length} is not a multiple of 4`);
  if (offset + length > out.length)
    throw new RangeError(`base64 decodes to ${length} bytes, room for ${out.length - offset}`);
  const quads = text.length / 4;
  let o = offset;
  for (let q = 0; q < quads; q++) {
    const i = q * 4;
    const a = sextet(text, i);
    const b = sextet(text, i + 1);
    const last = q === quads - 1;
    const cPad = last && text.charCodeAt(i + 2) === 61;
    const dPad = last && text.charCodeAt(i + 3) === 61;
    if (cPad && !dPad) throw new RangeError(`bad base64 padding at ${i + 2}`);
    const c = cPad ? 0 : sextet(text, i + 2);
    const d = dPad ? 0 : sextet(text, i + 3);
    out[o++] = (a << 2) | (b >> 4);
    if (!cPad) out[o++] = ((b & 15) << 4) | (c >> 2);
    if (!dPad) out[o++] = ((c & 3) << 6) | d;
  }
  return length;
}

function sextet(text: string, i: number): number {
  const code = text.charCodeAt(i);
  const v = code < 128 ? LOOKUP[code] : -1;
  if (v < 0) throw new RangeError(`invalid base64 character ${JSON.stringify(text[i])} at ${i}`);
  return v;
}
