import { CodexAuthError } from "../auth/codex/errors.js";
import { type CodexEnv, codexAuthPath } from "../auth/codex/paths.js";
import { refreshCodexAuth } from "../auth/codex/refresh.js";
import { sectionEnabled } from "./switches.js";
import type { Refresher, RefresherEnabled, TargetOutcome } from "./types.js";

export interface CodexRefresherOptions {
  env: CodexEnv;
  /** The `codex` config section. */
  config: { enabled: boolean; refreshIntervalS: number; refreshLeadS: number };
  fetch?: typeof fetch;
}

/** Kinds of CodexAuthError that mean "nothing kavilo can keep alive here", not a failure. */
const SKIPS = new Set(["missing", "api-key", "no-refresh-token"]);

/**
 * Keeps `$CODEX_HOME/auth.json` alive: each tick, when the access token expires within
 * `codex.refreshLeadS`, it refreshes through the token store's lock (a token the `codex` CLI or
 * another kavilo rotated first is adopted). No login, API-key mode or no refresh token is a skip; a
 * refused refresh token, a malformed file or an unreachable endpoint is a failure, every tick.
 */
export function createCodexRefresher(opts: CodexRefresherOptions): Refresher {
  const target = codexAuthPath(opts.env);
  return {
    name: "codex",
    intervalMs: opts.config.refreshIntervalS * 1000,
    enabled: (): RefresherEnabled =>
      sectionEnabled(opts.env, "KAVILO_CODEX_REFRESH_DISABLED", "codex", opts.config.enabled),
    async tick(now, signal): Promise<TargetOutcome[]> {
      try {
        const result = await refreshCodexAuth(opts.env, {
          leadMs: opts.config.refreshLeadS * 1000,
          now,
          ...(opts.fetch ? { fetch: opts.fetch } : {}),
          ...(signal ? { signal } : {}),
        });
        const expiresAt = result.auth.expiresAt?.toISOString();
        return [{ target, result: result.kind, ...(expiresAt ? { expiresAt } : {}) }];
      } catch (err) {
        if (err instanceof CodexAuthError && SKIPS.has(err.kind)) {
          // No Codex login at all is the normal case for most users: said once, not as a warning.
          return [
            {
              target,
              result: "skipped",
              reason: err.message,
              ...(err.kind === "missing" ? { quiet: true } : {}),
            },
          ];
        }
        return [{ target, result: "failed", reason: (err as Error).message }];
      }
    },
  };
}
