import type { RefresherEnabled } from "./types.js";

/** `KAVILO_*_REFRESH_DISABLED=1` (also true/yes) turns a refresher off. */
export function disabledByEnv(env: Readonly<Record<string, string | undefined>>, name: string): boolean {
  return ["1", "true", "yes"].includes(env[name]?.trim().toLowerCase() ?? "");
}

/** A refresher with an env switch and a config section (`codex`, `aws`): the env switch wins. */
export function sectionEnabled(
  env: Readonly<Record<string, string | undefined>>,
  envName: string,
  section: string,
  enabled: boolean,
): RefresherEnabled {
  if (disabledByEnv(env, envName)) return { enabled: false, reason: `${envName} is set` };
  if (!enabled) return { enabled: false, reason: `${section}.enabled is false` };
  return { enabled: true };
}
