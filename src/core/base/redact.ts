/**
 * The one sanitizer for anything that may reach a model, a log or an MCP client.
 * Masks values under secret-looking keys (as data and as text: JSON, YAML, env lines), credentials
 * after `Authorization:`, and token-shaped strings anywhere.
 */

const SECRET_KEY =
  /(^|_|-)(api[-_]?key|apikey|token|access[-_]?token|refresh[-_]?token|id[-_]?token|secret|client[-_]?secret|password|passwd|authorization|cookie|webhook[-_]?secret|private[-_]?key)$/i;
const SECRET_KEY_CAMEL = /(apiKey|Token|token|Secret|secret|password|authorization|webhookSecret)$/;

const TOKEN_PATTERNS: RegExp[] = [
  /\bsk-[A-Za-z0-9_-]{8,}/g, // OpenAI / Anthropic style (sk-, sk-proj-, sk-ant-)
  /\bxox[abpears]-[A-Za-z0-9-]+/g, // Slack bot/user/config tokens
  /\bxapp-[A-Za-z0-9-]+/g, // Slack app tokens
  /\b\d{5,12}:[A-Za-z0-9_-]{30,}/g, // Telegram bot tokens
  /(?<=\bbot)\d+:[\w-]{10,}/g, // the same inside a Bot API URL (.../bot<id>:<token>/getMe)
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g, // GitHub fine-grained tokens
  /\bAKIA[0-9A-Z]{16}\b/g, // AWS access key ids
  /\bAIza[0-9A-Za-z_-]{35}/g, // Google / Gemini API keys
  /\bBSA[A-Za-z0-9_-]{20,}/g, // Brave Search API keys
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g, // JWTs
  /(Bearer\s+)[A-Za-z0-9._~+/-]{8,}=*/gi,
];

/**
 * `Authorization: Basic dXNl...`, `"authorization": "Token abc"`: the scheme stays readable,
 * the credential is masked. Runs before KEY_VALUE, which leaves authorization keys to it.
 */
const AUTHORIZATION =
  /\b((?:proxy-)?authorization\\?["']?[ \t]*[:=][ \t]*\\?["']?)([A-Za-z][\w-]*[ \t]+)?([^\s"'\\,;}[][^\s"'\\,;}]*)/gi;

/**
 * A secret-looking key with its value, as text: JSON (`"apiKey": "v"`, also escaped inside a JSON
 * string), YAML (`api_key: v`), env files and query strings (`OPENAI_API_KEY=v`, `&token=v`).
 * The key decides (isSecretKey); the value is masked, quotes kept.
 */
const KEY_VALUE =
  /(?<![\w.])(\\?["']?)([A-Za-z_][\w.-]{0,63})\1([ \t]*[:=][ \t]*)(\\"(?:[^"\\\n]|\\[^"\n]){0,1000}\\"|"(?:[^"\\\n]|\\.){0,1000}"|'[^'\n]{0,1000}'|[^\s,;{}[\]"'&\\]{1,1000})/g;

/** `--token abc`, `--api-key abc` on a command line (the `=` form is a KEY_VALUE). */
const SECRET_FLAG = /(?<![\w-])(--?)([A-Za-z][\w-]{0,63})([ \t]+)([^\s"'[-][^\s"']{0,1000})/g;

const ALREADY_MASKED = /^[ \t]+\[REDACTED\]/;

function maskKeyValues(text: string): string {
  const re = new RegExp(KEY_VALUE.source, "g");
  let out = "";
  let last = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const [match, , key = "", , value = ""] = m;
    const head = match.length - value.length;
    const open = value.startsWith('\\"') ? '\\"' : /^["']/.test(value) ? (value[0] ?? "") : "";
    const inner = open ? value.slice(open.length, value.length - open.length) : value;
    const keep =
      !isSecretKey(key) ||
      /authorization$/i.test(key) ||
      inner === "" ||
      inner === REDACTED ||
      /^(null|true|false|undefined)$/.test(inner);
    if (keep) {
      // The value may itself hold a key (`url: https://x/?api_key=...`): scan on from it.
      re.lastIndex = m.index + head;
      continue;
    }
    out += `${text.slice(last, m.index)}${match.slice(0, head)}${open}${REDACTED}${open}`;
    last = m.index + match.length;
  }
  return out + text.slice(last);
}

export const REDACTED = "[REDACTED]";

export function isSecretKey(key: string): boolean {
  // Token counts, not tokens: maxTokens, inputTokens, tokens, total_tokens...
  if (/^(tokens|(max|input|output|total|reasoning|cached|completion|prompt)[-_]?tokens)$/i.test(key))
    return false;
  return SECRET_KEY.test(key) || SECRET_KEY_CAMEL.test(key);
}

export function redactString(text: string): string {
  let out = text.replace(
    AUTHORIZATION,
    (match: string, head: string, scheme: string | undefined, _v: string, at: number, all: string) =>
      // `Bearer [REDACTED]` seen again: "Bearer" is the scheme, not the credential.
      !scheme && ALREADY_MASKED.test(all.slice(at + match.length))
        ? match
        : `${head}${scheme ?? ""}${REDACTED}`,
  );
  out = maskKeyValues(out).replace(SECRET_FLAG, (match: string, dash: string, name: string, gap: string) =>
    isSecretKey(name) ? `${dash}${name}${gap}${REDACTED}` : match,
  );
  for (const pattern of TOKEN_PATTERNS) {
    out = out.replace(pattern, (_match, bearer?: string) =>
      typeof bearer === "string" && /^Bearer\s+$/i.test(bearer) ? `${bearer}${REDACTED}` : REDACTED,
    );
  }
  return out;
}

/**
 * Masks every occurrence of each known secret value (a configured token, a key), raw or
 * JSON-escaped, longest first. Values shorter than `minLength` are skipped: too short to be a
 * secret, too likely to hit ordinary text.
 */
export function maskKnown(text: string, secrets: Iterable<string | undefined> = [], minLength = 6): string {
  const known = [...new Set(secrets)]
    .filter((s): s is string => typeof s === "string" && s.length >= minLength)
    .sort((a, b) => b.length - a.length);
  let out = text;
  for (const secret of known) {
    out = out.split(secret).join(REDACTED);
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret) out = out.split(escaped).join(REDACTED);
  }
  return out;
}

/** A text with the known secret values and every secret shape masked: for log lines and errors. */
export function redactText(text: string, secrets: Iterable<string | undefined> = []): string {
  return redactString(maskKnown(text, secrets));
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
