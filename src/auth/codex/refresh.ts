import { refreshUnderLock, type TokenJson } from "../token-store.js";
import { type CodexAuth, missingLoginMessage, parseCodexAuth, readCodexAuthJson } from "./auth-file.js";
import { CodexAuthError } from "./errors.js";
import { type CodexEnv, codexAuthPath } from "./paths.js";
import { requestCodexRefresh } from "./token-endpoint.js";

/** The Codex CLI refreshes a token without `exp` this often; kavilo does the same. */
const NO_EXPIRY_REFRESH_MS = 8 * 24 * 3600_000;

export interface CodexRefreshOptions {
  /** Refresh even if the token is not near expiry (after a 401). */
  force?: boolean;
  /**
   * With `force`: the access token the server just refused. If auth.json holds another one by the
   * time the lock is ours, someone rotated it already and it is adopted without the network.
   */
  staleAccessToken?: string;
  /** Refresh when the access token expires within this long. Default 60 s. */
  leadMs?: number;
  now?: Date;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  lockTimeoutMs?: number;
}

export interface CodexRefreshResult {
  /** `fresh`: not due, nothing done; `adopted`: another process (or `codex`) had rotated it. */
  kind: "refreshed" | "adopted" | "fresh";
  auth: CodexAuth;
}

/** Whether a login needs a refresh `leadMs` ahead of `now`. */
export function codexRefreshDue(auth: CodexAuth, now: Date, leadMs: number): boolean {
  if (auth.expiresAt) return auth.expiresAt.getTime() - now.getTime() <= leadMs;
  if (!auth.lastRefresh) return true;
  return now.getTime() - auth.lastRefresh.getTime() >= NO_EXPIRY_REFRESH_MS - leadMs;
}

function mergeTokens(json: TokenJson, fresh: Awaited<ReturnType<typeof requestCodexRefresh>>, now: Date) {
  const old = json.tokens && typeof json.tokens === "object" ? (json.tokens as TokenJson) : {};
  const tokens: TokenJson = { ...old, access_token: fresh.access_token };
  if (fresh.refresh_token) tokens.refresh_token = fresh.refresh_token;
  if (fresh.id_token) tokens.id_token = fresh.id_token;
  return { ...json, tokens, last_refresh: now.toISOString() };
}

/**
 * Refreshes the ChatGPT login in auth.json once across processes: under the token store's lock it
 * re-reads the file and adopts a token that `codex` or another kavilo already rotated; otherwise it
 * calls the token endpoint and rewrites auth.json atomically (rotated tokens, `last_refresh` bumped,
 * every other key kept, 0600). A refresh token reported as used triggers one more re-read first.
 */
export async function refreshCodexAuth(
  env: CodexEnv,
  opts: CodexRefreshOptions = {},
): Promise<CodexRefreshResult> {
  const path = codexAuthPath(env);
  const now = opts.now ?? new Date();
  const leadMs = opts.leadMs ?? 60_000;
  const before = parseCodexAuth(await readCodexAuthJson(path), path);
  const due = (current: CodexAuth) => {
    // Rotated by someone else since we looked: adopt it, even if its lifetime is shorter than the lead.
    if (!opts.force)
      return current.refreshToken === before.refreshToken && codexRefreshDue(current, now, leadMs);
    return opts.staleAccessToken === undefined || current.accessToken === opts.staleAccessToken;
  };
  const outcome = await refreshUnderLock<CodexAuth>({
    path,
    parse: (json) => parseCodexAuth(json, path),
    due,
    refresh: async (current, json) => {
      // parseCodexAuth guarantees a refresh token.
      const fresh = await requestCodexRefresh(env, current.refreshToken ?? "", {
        fetch: opts.fetch,
        signal: opts.signal,
        timeoutMs: 20_000,
      });
      return mergeTokens(json, fresh, now);
    },
    refreshTokenOf: (current) => current.refreshToken,
    isReused: (err) => err instanceof CodexAuthError && err.kind === "rejected",
    lockTimeoutMs: opts.lockTimeoutMs,
  });
  if (outcome.kind === "missing") throw new CodexAuthError("missing", missingLoginMessage(path));
  if (outcome.kind === "refreshed") return { kind: "refreshed", auth: outcome.value };
  const rotated =
    outcome.value.refreshToken !== before.refreshToken || outcome.value.accessToken !== before.accessToken;
  return { kind: rotated ? "adopted" : "fresh", auth: outcome.value };
}
