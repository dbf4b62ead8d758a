import type { Paths } from "../../core/base/paths.js";
import { type RefreshOutcome, refreshUnderLock } from "../token-store.js";
import { REFRESH_LEEWAY_MS } from "./endpoints.js";
import { expiryOf, parseSlackToken, readSlackApp, type SlackToken, slackTokenPath } from "./token-file.js";
import { type FetchFn, refreshGrant, SlackApiError, type UserGrant } from "./web-api.js";

/** The token fields a grant sets; what the grant leaves out (team, user) is kept from `prev`. */
export function tokenFromGrant(grant: UserGrant, now: Date, prev: Partial<SlackToken> = {}): SlackToken {
  const next: SlackToken = { ...prev, access_token: grant.accessToken, saved_at: now.toISOString() };
  if (grant.refreshToken) next.refresh_token = grant.refreshToken;
  if (grant.expiresIn !== undefined) {
    next.expires_at = new Date(now.getTime() + grant.expiresIn * 1000).toISOString();
  }
  if (grant.tokenType) next.token_type = grant.tokenType;
  if (grant.scope) next.scope = grant.scope;
  if (grant.teamId) next.team_id = grant.teamId;
  if (grant.teamName) next.team_name = grant.teamName;
  if (grant.userId) next.user_id = grant.userId;
  return next;
}

/** Inside the leeway (or past it). A token with no expiry never is: it does not rotate. */
export function isDue(token: SlackToken, now: Date, leewayMs = REFRESH_LEEWAY_MS): boolean {
  const expiry = expiryOf(token);
  return expiry !== undefined && expiry.getTime() - now.getTime() <= leewayMs;
}

/** Why a due token cannot be refreshed, or undefined when it can. */
export function cannotRefresh(alias: string, token: SlackToken): string | undefined {
  if (expiryOf(token) === undefined) {
    return `legacy non-rotating token (no expires_at); if Slack rejects it, run kavilo mcp slack login ${alias} --force`;
  }
  if (!token.refresh_token) {
    return `no refresh token on file; run kavilo mcp slack login ${alias} --force`;
  }
  return undefined;
}

/** Refresh errors that only a new login fixes: the refresh token is spent or revoked, the app gone. */
const DEAD_GRANT = new Set(["invalid_refresh_token", "invalid_grant", "token_revoked", "invalid_client_id"]);

/** A failed refresh as one line (no token in it); a dead grant says to log in again. */
export function refreshFailureReason(alias: string, err: unknown): string {
  const dead = err instanceof SlackApiError && DEAD_GRANT.has(err.code);
  const message = err instanceof Error ? err.message : String(err);
  return `${message}${dead ? `; run kavilo mcp slack login ${alias} --force` : ""}`;
}

export interface RefreshSlackOptions {
  alias: string;
  paths: Paths;
  /** The token file when it is not `mcp-auth/slack/<alias>.json` (the entry's auth.tokenFile). */
  tokenPath?: string | undefined;
  apiUrl: string;
  now: () => Date;
  fetchFn?: FetchFn;
  leewayMs?: number;
}

/**
 * Refreshes one alias under the token store's lock when it is due: re-reads the file there, adopts
 * a token another process already rotated, and writes the new access token, the rotated refresh
 * token and expires_at atomically. Slack's refresh tokens are single-use.
 */
export async function refreshSlackToken(opts: RefreshSlackOptions): Promise<RefreshOutcome<SlackToken>> {
  const path = opts.tokenPath ?? slackTokenPath(opts.paths, opts.alias);
  return refreshUnderLock<SlackToken>({
    path,
    parse: (json) => parseSlackToken(json, path),
    due: (current) => isDue(current, opts.now(), opts.leewayMs) && !cannotRefresh(opts.alias, current),
    refresh: async (current, json) => {
      const app = await readSlackApp(opts.paths, opts.alias);
      if (!app) {
        throw new Error(
          `no app credentials on file for ${opts.alias}; run kavilo mcp slack login ${opts.alias} --force --client-id ... --client-secret ...`,
        );
      }
      const grant = await refreshGrant(
        opts.apiUrl,
        { clientId: app.client_id, clientSecret: app.client_secret },
        current.refresh_token ?? "",
        opts.fetchFn,
      );
      return { ...json, ...tokenFromGrant(grant, opts.now(), current) };
    },
    refreshTokenOf: (current) => current.refresh_token,
    isReused: (err) =>
      err instanceof SlackApiError && ["invalid_refresh_token", "invalid_grant"].includes(err.code),
  });
}
