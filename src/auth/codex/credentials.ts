import { stat } from "node:fs/promises";
import type { CredentialsGetter, RequestCredentials } from "../../providers/credentials.js";
import { type CodexAuth, readCodexAuth } from "./auth-file.js";
import { CodexAuthError } from "./errors.js";
import { type CodexEnv, codexAuthPath } from "./paths.js";
import { refreshCodexAuth } from "./refresh.js";

export interface CodexCredentialsDeps {
  fetch?: typeof fetch;
  now?: () => Date;
  /** Refresh before a request when the access token expires within this long. Default 30 s. */
  leadMs?: number;
}

function toCredentials(auth: CodexAuth): RequestCredentials {
  return {
    bearer: auth.accessToken,
    headers: auth.accountId ? { "ChatGPT-Account-ID": auth.accountId } : {},
  };
}

function rejectedAfter401(err: CodexAuthError): CodexAuthError {
  return new CodexAuthError(
    "rejected",
    `Codex rejected the ChatGPT login and refreshing it failed (${err.message.replace(/: re-run `codex login` and retry$/, "")}): re-run \`codex login\` and retry`,
    err.code,
  );
}

/**
 * Per-request credentials for `provider: "openai_codex"`: the access token as the bearer and the
 * account id as `ChatGPT-Account-ID`, read from auth.json each time (cached while its mtime and size
 * are unchanged), so a token rotated on disk is used by the next request. An access token that has
 * expired is refreshed first; `forceRefresh` (after a 401) refreshes once under the lock.
 */
export function codexCredentialsGetter(env: CodexEnv, deps: CodexCredentialsDeps = {}): CredentialsGetter {
  const path = codexAuthPath(env);
  const now = deps.now ?? (() => new Date());
  let cached: { key: string; auth: CodexAuth } | undefined;
  let lastBearer: string | undefined;

  const current = async (): Promise<CodexAuth> => {
    const info = await stat(path).catch(() => undefined);
    const key = info ? `${info.mtimeMs}:${info.size}:${info.ino}` : "";
    if (cached && key && cached.key === key) return cached.auth;
    const auth = await readCodexAuth(env);
    cached = key ? { key, auth } : undefined;
    return auth;
  };

  const refresh = async (force: boolean, signal?: AbortSignal): Promise<CodexAuth> => {
    try {
      const result = await refreshCodexAuth(env, {
        force,
        staleAccessToken: force ? lastBearer : undefined,
        leadMs: deps.leadMs ?? 30_000,
        now: now(),
        fetch: deps.fetch,
        signal,
      });
      cached = undefined;
      return result.auth;
    } catch (err) {
      if (force && err instanceof CodexAuthError && err.kind === "rejected") throw rejectedAfter401(err);
      throw err;
    }
  };

  return async (req = {}) => {
    let auth = await current();
    if (req.forceRefresh) auth = await refresh(true, req.signal);
    else if (auth.expiresAt && auth.expiresAt.getTime() - now().getTime() <= (deps.leadMs ?? 30_000)) {
      auth = await refresh(false, req.signal);
    }
    lastBearer = auth.accessToken;
    return toCredentials(auth);
  };
}
