import type { Paths } from "../../core/base/paths.js";
import { claudeOAuthDisabled } from "./settings.js";
import { claudeTokenPath, expiresAtMs, readClaudeToken } from "./token-file.js";

/** What `kavilo auth claude status` reports: never the token itself. */
export interface ClaudeAuthStatus {
  loggedIn: boolean;
  path: string;
  /** KAVILO_ANTHROPIC_OAUTH_DISABLED is set: requests use the API key even with a login. */
  disabled: boolean;
  source?: "login" | "token";
  email?: string;
  accountId?: string;
  organization?: string;
  scopes?: string[];
  expiresAt?: string;
  expired?: boolean;
  /** A refresh token is stored: kavilo renews the access token by itself. */
  canRefresh?: boolean;
  savedAt?: string;
  refreshedAt?: string;
}

export async function claudeAuthStatus(
  paths: Pick<Paths, "auth">,
  env: NodeJS.ProcessEnv,
  now = Date.now(),
): Promise<ClaudeAuthStatus> {
  const path = claudeTokenPath(paths);
  const disabled = claudeOAuthDisabled(env);
  const token = await readClaudeToken(path);
  if (!token) return { loggedIn: false, path, disabled };
  const at = expiresAtMs(token);
  const org = token.organization?.name ?? token.organization?.uuid;
  return {
    loggedIn: true,
    path,
    disabled,
    source: token.source,
    ...(token.account?.email ? { email: token.account.email } : {}),
    ...(token.account?.uuid ? { accountId: token.account.uuid } : {}),
    ...(org ? { organization: org } : {}),
    scopes: token.scopes,
    ...(at !== undefined ? { expiresAt: new Date(at).toISOString(), expired: at <= now } : {}),
    canRefresh: Boolean(token.refreshToken),
    savedAt: token.savedAt,
    ...(token.refreshedAt ? { refreshedAt: token.refreshedAt } : {}),
  };
}
