import { homedir } from "node:os";
import { join } from "node:path";
import { expandHome } from "../../core/base/paths.js";

/** The environment the Codex credential code reads (process.env in production, a literal in tests). */
export type CodexEnv = Readonly<Record<string, string | undefined>>;

/** The user's home as this environment sees it (`HOME`, else the OS's). */
function userHome(env: CodexEnv): string {
  return env.HOME?.trim() || homedir();
}

/** `$CODEX_HOME` (with `~` expanded), else `~/.codex`: where `codex login` keeps its credentials. */
export function codexHome(env: CodexEnv): string {
  const configured = env.CODEX_HOME?.trim();
  if (configured) return expandHome(configured, userHome(env));
  return join(userHome(env), ".codex");
}

/** `<codexHome>/auth.json`. */
export function codexAuthPath(env: CodexEnv): string {
  return join(codexHome(env), "auth.json");
}
