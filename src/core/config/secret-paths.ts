import { isSecretKey, REDACTED, redactString } from "../base/redact.js";

/**
 * The one list of where config.json keeps secrets whose keys do not say so. `*` is any key. Every
 * value below such a path is a secret. Together with the rules below (secret-looking keys, secret
 * flags in args, keys in MCP URLs), this decides both what `kavilo config get` masks and what the
 * `self` MCP server masks wherever it appears.
 */
export const SECRET_VALUE_PATHS: readonly (readonly string[])[] = [
  ["providers", "*", "extraHeaders"],
  ["tools", "mcpServers", "*", "headers"],
  ["tools", "mcpServers", "*", "env"],
];

/** MCP server URLs: key-like path segments, secret query values and user info are secrets. */
const URL_PATH = ["tools", "mcpServers", "*", "url"];
const ARGS_PATH = ["tools", "mcpServers", "*", "args", "*"];
/** Provider API bases: the same, but path segments (deployment and model names) stay. */
const API_BASE_PATH = ["providers", "*", "apiBase"];

/** A path segment that reads like a key: long, random-looking, letters and digits mixed. */
export function looksLikeKeySegment(raw: string): boolean {
  let segment = raw;
  try {
    segment = decodeURIComponent(raw);
  } catch {
    // a stray % : judged as written
  }
  return /^[A-Za-z0-9_=-]{16,}$/.test(segment) && /\d/.test(segment) && /[A-Za-z]/.test(segment);
}

/** Query names that carry a credential in URLs although isSecretKey does not say so (`?key=`). */
const SECRET_QUERY_NAME = /^(key|auth|sig|signature|pass|pwd|access[-_]?key)$/i;

/**
 * Key-like path segments, secret query values and the user info (`user:password@`; a user name
 * alone is a token, as in `https://<token>@host`) of a URL, as they are written in it.
 */
export function urlSecretParts(url: string, pathSegments = true): string[] {
  const out: string[] = [];
  try {
    const u = new URL(url);
    if (u.password) out.push(u.password);
    if (u.username && (!u.password || looksLikeKeySegment(u.username))) out.push(u.username);
    if (pathSegments) for (const seg of u.pathname.split("/")) if (looksLikeKeySegment(seg)) out.push(seg);
    for (const [name, value] of u.searchParams) {
      if (value && (isSecretKey(name) || SECRET_QUERY_NAME.test(name) || looksLikeKeySegment(value))) {
        out.push(value, encodeURIComponent(value));
      }
    }
  } catch {
    // not a URL: nothing to learn
  }
  return out;
}

/** A command-line flag whose next argument is a secret: `--token`, `--api-key`. */
function isSecretFlag(arg: unknown): boolean {
  return typeof arg === "string" && /^--?[A-Za-z][\w-]*$/.test(arg) && isSecretKey(arg.replace(/^-+/, ""));
}

function matches(path: readonly string[], pattern: readonly string[]): boolean {
  return path.length === pattern.length && pattern.every((p, i) => p === "*" || p === path[i]);
}

function underSecretPath(path: readonly string[]): boolean {
  return SECRET_VALUE_PATHS.some((p) => path.length > p.length && matches(path.slice(0, p.length), p));
}

/**
 * What of one string value is secret: "all", the secret parts in it, or nothing. `under` is true
 * below a secret-looking key; `prev` is the array element before it (a `--token` flag).
 */
function secretOf(value: string, path: readonly string[], under: boolean, prev: unknown): "all" | string[] {
  if (under || underSecretPath(path) || isSecretFlag(prev)) return "all";
  // --api-key=abc
  const inline = /^--?([\w-]+)=(.+)$/.exec(value);
  if (inline?.[1] && inline[2] && isSecretKey(inline[1])) return [inline[2]];
  // A URL in an MCP server's args (`npx mcp-remote https://...?key=...`) is read like its url.
  const urlArg = matches(path, ARGS_PATH) && /^https?:\/\//i.test(value);
  if (matches(path, URL_PATH) || urlArg) return urlSecretParts(value);
  if (matches(path, API_BASE_PATH)) return urlSecretParts(value, false);
  return [];
}

type Visit = (value: string, secret: "all" | string[]) => string;

function walk(node: unknown, path: string[], under: boolean, prev: unknown, visit: Visit): unknown {
  if (typeof node === "string") return visit(node, secretOf(node, path, under, prev));
  if (Array.isArray(node))
    return node.map((v, i) => walk(v, [...path, String(i)], under, node[i - 1], visit));
  if (node && typeof node === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node))
      out[k] = walk(v, [...path, k], under || isSecretKey(k), undefined, visit);
    return out;
  }
  return node;
}

/**
 * Every secret value a config (or a token file) holds, by the rules above. "Bearer abc" also
 * yields "abc": the credential alone may appear elsewhere.
 */
export function configSecretValues(value: unknown): string[] {
  const found = new Set<string>();
  walk(value, [], false, undefined, (text, secret) => {
    if (secret === "all") {
      found.add(text);
      const parts = text.trim().split(/\s+/);
      if (parts.length > 1) found.add(parts.at(-1) ?? "");
    } else for (const part of secret) found.add(part);
    return text;
  });
  found.delete("");
  return [...found];
}

/** A deep copy of a config with every secret masked (numbers and booleans are kept). */
export function maskConfigSecrets<T>(value: T): T {
  return walk(value, [], false, undefined, (text, secret) => {
    if (secret === "all") return text === "" ? text : REDACTED;
    let out = text;
    for (const part of [...secret].sort((a, b) => b.length - a.length)) out = out.split(part).join(REDACTED);
    return redactString(out);
  }) as T;
}

/**
 * Env names that carry credentials (case-insensitive globs). Their values are masked like configured
 * secrets, and shell commands do not get them while tools.exec.scrubEnv is on.
 */
export const SECRET_ENV_PATTERNS: readonly string[] = [
  "*_API_KEY",
  "*_TOKEN",
  "*_SECRET",
  "*_SECRET_*",
  "*_PASSWORD",
  "*_CREDENTIALS",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "GITHUB_TOKEN",
  "SLACK_*_TOKEN",
];

/** A glob (`*`, `?`) as a case-insensitive whole-name RegExp. */
export function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`, "i");
}

const secretEnv = SECRET_ENV_PATTERNS.map(globToRegExp);

/** Whether an env variable's name says it holds a credential (SECRET_ENV_PATTERNS or a secret key). */
export function isSecretEnvName(name: string): boolean {
  return isSecretKey(name) || secretEnv.some((re) => re.test(name));
}

/**
 * Every secret a running profile can leak: the config's (configSecretValues) and the values of
 * secret-named environment variables. What loggers, `agent -m` and the self server mask.
 */
export function profileSecretValues(config: unknown, env: NodeJS.ProcessEnv): string[] {
  const found = new Set(configSecretValues(config));
  for (const [name, value] of Object.entries(env)) if (value && isSecretEnvName(name)) found.add(value);
  return [...found];
}
