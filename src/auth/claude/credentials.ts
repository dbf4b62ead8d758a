import type { Paths } from "../../core/base/paths.js";
import type { CredentialsGetter, RequestCredentials } from "../../providers/credentials.js";
import { refreshUnderLock, type TokenJson } from "../token-store.js";
import { claudeTokenPath } from "./login-file.js";
import { isRefreshTokenRejected, refreshTokens, tokenFields } from "./oauth-client.js";
import { type ClaudeOAuthSettings, claudeOAuthSettings } from "./settings.js";
import { type ClaudeToken, parseClaudeToken, readClaudeToken, refreshDue } from "./token-file.js";

export { claudeLoginActive, claudeLoginProviders, namesClaude } from "./login-file.js";

/** The beta flag Anthropic's Messages API wants beside an OAuth bearer. */
export const OAUTH_BETA = "oauth-2025-04-20";

/** A Claude login that cannot give a usable token; the message is the one line the user sees. */
export class ClaudeAuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ClaudeAuthError";
  }
}

export interface ClaudeCredentialsDeps {
  fetch?: typeof fetch;
  now?: () => number;
  /** Defaults to the env's settings (config's auth.claude is not needed to refresh: the file names its client). */
  settings?: ClaudeOAuthSettings;
}

function credentialsOf(token: ClaudeToken): RequestCredentials {
  return { bearer: token.accessToken, headers: { "anthropic-beta": OAUTH_BETA } };
}

/**
 * Credentials for Anthropic from `<home>/auth/anthropic/oauth.json`, read per request. A token within
 * five minutes of expiry is refreshed first, under the token store's lock (another process that
 * already rotated it wins, and its token is adopted). `forceRefresh` (after a 401) refreshes once
 * unless the file already holds a different token than the one that was refused.
 */
export function claudeCredentialsGetter(
  paths: Pick<Paths, "auth">,
  env: NodeJS.ProcessEnv,
  deps: ClaudeCredentialsDeps = {},
): CredentialsGetter {
  const path = claudeTokenPath(paths);
  const now = deps.now ?? Date.now;
  let settings = deps.settings;
  /** The access token the last call returned: the one a 401 refers to. */
  let lastSent: string | undefined;

  async function refresh(seen: ClaudeToken, force: boolean): Promise<ClaudeToken> {
    settings ??= claudeOAuthSettings(env);
    const s = settings;
    const outcome = await refreshUnderLock<ClaudeToken>({
      path,
      parse: (json) => parseClaudeToken(path, json),
      // Under the lock: a token another process rotated meanwhile is adopted, not refreshed again.
      due: (current) =>
        Boolean(current.refreshToken) &&
        (force ? current.accessToken === seen.accessToken : refreshDue(current, now())),
      refreshTokenOf: (current) => current.refreshToken,
      isReused: isRefreshTokenRejected,
      refresh: async (current, json) => {
        const clientId = current.clientId ?? s.clientId;
        if (!clientId) {
          throw new ClaudeAuthError(
            "cannot refresh the Claude token: no OAuth client id; set KAVILO_ANTHROPIC_OAUTH_CLIENT_ID or run kavilo auth claude login again",
          );
        }
        const tokenUrl = s.tokenUrlSet ? s.tokenUrl : (current.tokenUrl ?? s.tokenUrl);
        const at = new Date(now());
        const r = await refreshTokens(
          { tokenUrl, clientId, refreshToken: current.refreshToken ?? "" },
          deps.fetch ? { fetch: deps.fetch } : {},
        );
        const next: TokenJson = { ...json, ...tokenFields(r, at, current), refreshedAt: at.toISOString() };
        // An answer without expires_in: the old expiry no longer describes the new token.
        if (r.expires_in === undefined) delete next.expiresAt;
        return next;
      },
    }).catch((err: unknown) => {
      if (isRefreshTokenRejected(err)) {
        throw new ClaudeAuthError(
          "the Claude login has expired or was revoked: run kavilo auth claude login again, or use an API key (ANTHROPIC_API_KEY)",
        );
      }
      throw err;
    });
    if (outcome.kind === "missing") {
      throw new ClaudeAuthError("the Claude login was removed meanwhile: run kavilo auth claude login again");
    }
    return outcome.value;
  }

  return async (req = {}) => {
    const token = await readClaudeToken(path);
    if (!token) {
      throw new ClaudeAuthError(
        "no Claude login: run kavilo auth claude login, or set ANTHROPIC_API_KEY (or KAVILO_ANTHROPIC_OAUTH_DISABLED=1)",
      );
    }
    // After a 401: a file that already holds another token than the refused one needs no refresh.
    const force = req.forceRefresh === true && token.accessToken === lastSent;
    const use =
      token.refreshToken && (force || refreshDue(token, now())) ? await refresh(token, force) : token;
    lastSent = use.accessToken;
    return credentialsOf(use);
  };
}
