/** `KAVILO_*_REFRESH_DISABLED=1` (also true/yes) turns a refresher off. */
export function disabledByEnv(env: Readonly<Record<string, string | undefined>>, name: string): boolean {
  return ["1", "true", "yes"].includes(env[name]?.trim().toLowerCase() ?? "");
}
