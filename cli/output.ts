/** Prints `value` as pretty JSON on stdout (the one format of every `--json` flag). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Progress and notes for people go to stderr, so stdout stays parseable. */
export function note(message: string): void {
  process.stderr.write(`${message}\n`);
}
