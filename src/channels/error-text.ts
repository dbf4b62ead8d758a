/** One-line description of any thrown value. */
export function errorText(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? ` (${err.cause.message})` : "";
    return `${err.message}${cause}`.replace(/\s+/g, " ");
  }
  return String(err);
}
