import { globToRegExp, isSecretEnvName, SECRET_ENV_PATTERNS } from "../config/secret-paths.js";

/** Dropped from shell commands' env while scrubbing: the credentials, and kavilo's own settings. */
export const DEFAULT_SCRUB_PATTERNS: readonly string[] = [...SECRET_ENV_PATTERNS, "KAVILO_*"];

/**
 * A predicate telling whether an env name matches one of the default or extra glob patterns, or is
 * a name whose value kavilo masks (isSecretEnvName: `API_KEY`, `TOKEN`, `DB_PASSWD` as well).
 */
export function envNameMatcher(extraPatterns: readonly string[] = []): (name: string) => boolean {
  const regexps = [...DEFAULT_SCRUB_PATTERNS, ...extraPatterns].map(globToRegExp);
  return (name) => isSecretEnvName(name) || regexps.some((re) => re.test(name));
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
