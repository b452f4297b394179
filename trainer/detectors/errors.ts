/**
 * Thrown when a detector argument is out of its domain (an unknown detector name, a logits length that is
 * not a multiple of the class count, a temperature ≤ 0, ...). Carries the offending parameter and value.
 */
export class DetectorArgumentError extends RangeError {
  override readonly name = 'DetectorArgumentError';

  constructor(
    readonly param: string,
    readonly value: unknown,
    message: string,
  ) {
    super(message);
  }
}
