/**
 * The one sanitizer for anything that may reach a model, a log or an MCP client.
 * Masks values under secret-looking keys, and token-shaped strings anywhere.
 */

const SECRET_KEY =
  /(^|_|-)(api[-_]?key|apikey|token|access[-_]?token|refresh[-_]?token|id[-_]?token|secret|client[-_]?secret|password|passwd|authorization|cookie|webhook[-_]?secret|private[-_]?key)$/i;
const SECRET_KEY_CAMEL = /(apiKey|Token|token|Secret|secret|password|authorization|webhookSecret)$/;

const TOKEN_PATTERNS: RegExp[] = [
  /\bsk-[A-Za-z0-9_-]{8,}/g, // OpenAI / Anthropic style
  /\bxox[abposr]-[A-Za-z0-9-]{8,}/g, // Slack bot/user tokens
  /\bxapp-[A-Za-z0-9-]{8,}/g, // Slack app tokens
  /\b\d{6,12}:[A-Za-z0-9_-]{30,}/g, // Telegram bot tokens
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g, // GitHub tokens
  /\bAKIA[0-9A-Z]{16}\b/g, // AWS access key ids
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g, // JWTs
  /(Bearer\s+)[A-Za-z0-9._~+/-]{8,}=*/gi,
];

export const REDACTED = "[REDACTED]";

export function isSecretKey(key: string): boolean {
  // Token counts, not tokens: maxTokens, inputTokens, tokens, total_tokens...
  if (/^(tokens|(max|input|output|total|reasoning|cached|completion|prompt)[-_]?tokens)$/i.test(key))
    return false;
  return SECRET_KEY.test(key) || SECRET_KEY_CAMEL.test(key);
}

export function redactString(text: string): string {
  let out = text;
  for (const pattern of TOKEN_PATTERNS) {
    out = out.replace(pattern, (_match, bearer?: string) =>
      typeof bearer === "string" && /^Bearer\s+$/i.test(bearer) ? `${bearer}${REDACTED}` : REDACTED,
    );
  }
  return out;
}

/** Returns a deep copy with secrets masked. Numbers and booleans under secret keys are kept. */
export function redactSecrets<T>(value: T): T {
  return walk(value, undefined) as T;
}

function walk(value: unknown, key: string | undefined): unknown {
  if (typeof value === "string") {
    if (key !== undefined && isSecretKey(key) && value.length > 0) return REDACTED;
    return redactString(value);
  }
  if (Array.isArray(value)) return value.map((v) => walk(v, key));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // headers such as { Authorization: "..." } or env such as { FOO_API_KEY: "..." }
      out[k] = walk(v, k);
    }
    return out;
  }
  return value;
}
