/**
 * Env names that carry credentials (case-insensitive globs). The self MCP server masks these
 * variables' values; shell commands do not get them while tools.exec.scrubEnv is on.
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

/** Dropped from shell commands' env while scrubbing: the credentials, and kavilo's own settings. */
export const DEFAULT_SCRUB_PATTERNS: readonly string[] = [...SECRET_ENV_PATTERNS, "KAVILO_*"];

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  // Case-insensitive: dropping `openai_api_key` too errs on the safe side.
  return new RegExp(`^${body}$`, "i");
}

/** A predicate telling whether an env name matches one of the default or extra glob patterns. */
export function envNameMatcher(extraPatterns: readonly string[] = []): (name: string) => boolean {
  const regexps = [...DEFAULT_SCRUB_PATTERNS, ...extraPatterns].map(globToRegExp);
  return (name) => regexps.some((re) => re.test(name));
}

const secretEnv = SECRET_ENV_PATTERNS.map(globToRegExp);

/** Whether an env variable's name says it holds a credential (SECRET_ENV_PATTERNS). */
export function isSecretEnvName(name: string): boolean {
  return secretEnv.some((re) => re.test(name));
}

export interface ScrubOptions {
  /** More name globs to drop (tools.exec.scrubEnvExtra). */
  extra?: readonly string[];
  /** Exact names (case-insensitive) that pass anyway (tools.exec.scrubEnvKeep), e.g. GITHUB_TOKEN for gh. */
  keep?: readonly string[];
}

/**
 * A copy of `env` without credential-looking variables (see DEFAULT_SCRUB_PATTERNS) and without names
 * matching `extra` (globs with `*` and `?`), except the names in `keep`. Undefined values are dropped too.
 */
export function scrubEnv(
  env: NodeJS.ProcessEnv | Record<string, string | undefined>,
  opts: ScrubOptions = {},
): Record<string, string> {
  const drop = envNameMatcher(opts.extra ?? []);
  const keep = new Set((opts.keep ?? []).map((n) => n.toUpperCase()));
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && (keep.has(name.toUpperCase()) || !drop(name))) out[name] = value;
  }
  return out;
}
