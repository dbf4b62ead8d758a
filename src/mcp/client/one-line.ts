/** Longest failure reason shown in a warning or in `kavilo status`. */
export const MAX_REASON = 200;

/**
 * Flattens a failure text (often an HTML error page from a proxy) to one readable line:
 * markup and scripts removed, whitespace collapsed, capped at `max` characters.
 */
export function oneLine(text: string, max = MAX_REASON): string {
  const flat = text
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, " ")
    .replace(/<!--[\s\S]*?-->/g, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The socket error code under a fetch failure (ECONNREFUSED), else the cause's own message. */
function causeCode(err: unknown): string | undefined {
  let cur: unknown = (err as { cause?: unknown })?.cause;
  let fallback: string | undefined;
  for (let depth = 0; cur && depth < 4; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === "string") return code;
    const message = (cur as { message?: unknown }).message;
    if (!fallback && typeof message === "string" && message) fallback = message;
    const inner = (cur as { errors?: unknown[] }).errors?.[0];
    cur = (cur as { cause?: unknown }).cause ?? inner;
  }
  return fallback;
}

/**
 * One line for a connection or HTTP failure: the SDK's HTTP errors carry the status as a
 * numeric `code`, undici's "fetch failed" hides the socket error (ECONNREFUSED) in its cause.
 */
export function describeFailure(err: unknown): string {
  const e = err as { message?: unknown; code?: unknown };
  let message = typeof e?.message === "string" && e.message ? e.message : String(err);
  message = message.replace(/^Streamable HTTP error: /, "");
  if (typeof e?.code === "number" && e.code > 0 && !/^HTTP \d{3}\b/.test(message)) {
    message = `HTTP ${e.code}: ${message}`;
  }
  const code = causeCode(err);
  if (code && !message.includes(code)) message = `${message} (${code})`;
  return oneLine(message);
}
