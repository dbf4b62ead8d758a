const INHERITED = ["PATH", "HOME", "LANG", "TERM", "USER", "SHELL", "TMPDIR"];

/**
 * The environment of a stdio MCP server: only what a program needs to run (PATH, HOME, locale,
 * TERM, USER, SHELL, TMPDIR) plus the server's configured env. Provider keys and other
 * secrets of the user's shell are deliberately not passed on.
 */
export function minimalServerEnv(
  parent: NodeJS.ProcessEnv,
  configured: Record<string, string> = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(parent)) {
    if (value === undefined) continue;
    if (INHERITED.includes(key) || key.startsWith("LC_")) env[key] = value;
  }
  return { ...env, ...configured };
}
