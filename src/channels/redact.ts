/**
 * Removes secrets from a log line: each given secret, Telegram `bot<id>:<token>` URL segments and
 * Slack xox?-/xapp- tokens, in case an SDK error echoes a URL or header.
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 6) out = out.split(secret).join("<redacted>");
  }
  return out
    .replace(/bot\d+:[\w-]{10,}/g, "bot<redacted>")
    .replace(/\bxox[a-z]-[\w-]+/gi, "xox?-<redacted>")
    .replace(/\bxapp-[\w-]+/gi, "xapp-<redacted>");
}

/** One-line description of any thrown value. */
export function errorText(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? ` (${err.cause.message})` : "";
    return `${err.message}${cause}`.replace(/\s+/g, " ");
  }
  return String(err);
}
