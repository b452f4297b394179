/** Ids are zoo folder names: letters, digits, `.`, `_`, `-`; no `/`, `..` or spaces; at most 64 characters. */
export const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** @throws naming the id when it is not a valid zoo id */
export function checkModelId(id: string): void {
  if (!MODEL_ID.test(id) || id.includes('..')) {
    throw new Error(
      `invalid model id "${id.length > 80 ? `${id.slice(0, 77)}...` : id}": use 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit (no "/", ".." or spaces)`,
    );
  }
}
