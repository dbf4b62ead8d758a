/** Env names that usually carry credentials; dropped from child processes when scrubbing is on. */
export const DEFAULT_SCRUB_PATTERNS: readonly string[] = ["*_API_KEY", "*_API_TOKEN", "*_SECRET", "KAVILO_*"];

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

/**
 * A copy of `env` without credential-looking variables (see DEFAULT_SCRUB_PATTERNS) and without names
 * matching `extraPatterns` (globs with `*` and `?`). Undefined values are dropped too.
 */
export function scrubEnv(
  env: NodeJS.ProcessEnv | Record<string, string | undefined>,
  extraPatterns: readonly string[] = [],
): Record<string, string> {
  const drop = envNameMatcher(extraPatterns);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && !drop(name)) out[name] = value;
  }
  return out;
}
