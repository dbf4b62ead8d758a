import { ConfigError } from "../core/config/load.js";
import { ProfileNameError } from "../core/home.js";
import { NoProviderError } from "../providers/resolve.js";
import { ProviderError } from "../providers/types.js";
import { CliError } from "./errors.js";

/** Turns any error into one line and an exit code: 2 for usage/config, 1 otherwise. */
export function describeError(err: unknown): { message: string; exitCode: number } {
  if (err instanceof CliError) return { message: err.message, exitCode: err.exitCode };
  if (err instanceof ConfigError) {
    return { message: `config error: ${err.message}`, exitCode: 2 };
  }
  if (err instanceof ProfileNameError) return { message: err.message, exitCode: 2 };
  if (err instanceof NoProviderError) return { message: err.message, exitCode: 2 };
  if (err instanceof ProviderError) {
    const status = err.status ? ` (HTTP ${err.status})` : "";
    const hint = err.hint ? `; ${err.hint}` : "";
    return { message: `${err.provider}: ${err.message}${status}${hint}`, exitCode: 1 };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { message: message.split("\n")[0] ?? "unknown error", exitCode: 1 };
}
