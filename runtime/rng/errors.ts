/**
 * Thrown when an RNG argument is out of its domain (a seed that is not a uint32, a negative variance,
 * NaN logits, ...). Carries the offending parameter name and value so callers can report them as data.
 */
export class RngArgumentError extends RangeError {
  override readonly name = 'RngArgumentError';

  constructor(
    readonly param: string,
    readonly value: unknown,
    message: string,
  ) {
    super(`${param} ${message}, got ${describe(value)}`);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (ArrayBuffer.isView(value) || Array.isArray(value)) {
    return `${value.constructor.name} of length ${(value as ArrayLike<unknown>).length}`;
  }
  return String(value);
}
