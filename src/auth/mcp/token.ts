import {
  discoverAuthorizationServerMetadata,
  discoverOAuthServerInfo,
  type OAuthServerInfo,
  refreshAuthorization,
} from "@modelcontextprotocol/sdk/client/auth.js";
import { InvalidClientError, InvalidGrantError } from "@modelcontextprotocol/sdk/server/auth/errors.js";
import type { AuthorizationServerMetadata, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import { withFileMutex } from "../../core/base/file-lock.js";
import type { Paths } from "../../core/base/paths.js";
import { McpAuthRequiredError } from "./auth-required-error.js";
import {
  type McpTokenFile,
  mcpTokenLockPath,
  readMcpTokenFile,
  type StoredDiscovery,
  writeMcpTokenFile,
} from "./token-file.js";

/** Refresh this long before the recorded expiry, so a request never leaves with a dying token. */
export const REFRESH_MARGIN_MS = 60_000;
const REFRESH_DEADLINE_MS = 20_000;

export interface McpTokenOptions {
  now?: () => Date;
  /** Refresh even when the token looks valid (the server just answered 401 to it). */
  force?: boolean;
}

export interface McpAuthStatus {
  state: "missing" | "valid" | "expired";
  expiresAt?: string;
}

function isDue(file: McpTokenFile, now: Date): boolean {
  if (!file.expiresAt) return false;
  return Date.parse(file.expiresAt) - REFRESH_MARGIN_MS <= now.getTime();
}

async function refreshTokens(
  alias: string,
  file: McpTokenFile,
  now: Date,
  fetchFn: FetchLike | undefined,
): Promise<McpTokenFile> {
  const refreshToken = file.tokens.refresh_token;
  if (!refreshToken) throw new McpAuthRequiredError(alias);
  // All of a refresh ends well inside the token mutex's stale window (30 s): a lock that outlived
  // it would let a second process spend the same rotating refresh token.
  const deadline = AbortSignal.timeout(REFRESH_DEADLINE_MS);
  const base: FetchLike = fetchFn ?? ((url, init) => fetch(url, init));
  const timed: FetchLike = (url, init) =>
    base(url, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline });
  let discovery: StoredDiscovery | OAuthServerInfo;
  let metadata: AuthorizationServerMetadata | undefined;
  let tokens: OAuthTokens;
  try {
    discovery = file.discovery ?? (await discoverOAuthServerInfo(file.serverUrl, { fetchFn: timed }));
    metadata =
      discovery.authorizationServerMetadata ??
      (await discoverAuthorizationServerMetadata(discovery.authorizationServerUrl, { fetchFn: timed }));
    const resource = discovery.resourceMetadata?.resource;
    tokens = await refreshAuthorization(discovery.authorizationServerUrl, {
      metadata,
      clientInformation: file.clientInformation,
      refreshToken,
      ...(resource ? { resource } : {}),
      fetchFn: timed,
    });
  } catch (err) {
    // A revoked grant or a forgotten client cannot be fixed by retrying: the user must log in again.
    if (err instanceof InvalidGrantError || err instanceof InvalidClientError) {
      throw new McpAuthRequiredError(alias);
    }
    throw new Error(`${alias}: token refresh failed: ${(err as Error).message}`);
  }
  const expiresAt =
    tokens.expires_in === undefined
      ? undefined
      : new Date(now.getTime() + tokens.expires_in * 1000).toISOString();
  const { expiresAt: _old, ...rest } = file;
  return {
    ...rest,
    tokens: {
      access_token: tokens.access_token,
      token_type: tokens.token_type,
      ...(tokens.refresh_token ? { refresh_token: tokens.refresh_token } : {}),
      ...((tokens.scope ?? file.tokens.scope) ? { scope: tokens.scope ?? file.tokens.scope } : {}),
    },
    ...(expiresAt ? { expiresAt } : {}),
    savedAt: now.toISOString(),
    discovery: { ...discovery, authorizationServerMetadata: metadata },
  };
}

/**
 * The access token of a logged-in server, refreshed first when it expires within a minute.
 * Refresh tokens rotate, so the refresh runs under a file mutex and re-reads the file inside
 * it: another process may have refreshed already, and the old refresh token is then dead.
 * Undefined when there is no login.
 */
export async function getValidAccessToken(
  alias: string,
  paths: Paths,
  fetchFn?: FetchLike,
  opts: McpTokenOptions = {},
): Promise<string | undefined> {
  const now = opts.now ?? (() => new Date());
  const first = await readMcpTokenFile(paths, alias);
  if (!first) return undefined;
  if (!opts.force && !isDue(first, now())) return first.tokens.access_token;
  return withFileMutex(mcpTokenLockPath(paths, alias), async () => {
    const current = await readMcpTokenFile(paths, alias);
    if (!current) return undefined;
    const someoneElseRefreshed = current.tokens.access_token !== first.tokens.access_token;
    if (someoneElseRefreshed && !isDue(current, now())) return current.tokens.access_token;
    if (!opts.force && !isDue(current, now())) return current.tokens.access_token;
    const stillValid = !opts.force && !isExpired(current, now());
    if (!current.tokens.refresh_token) return stillValid ? current.tokens.access_token : undefined;
    try {
      const next = await refreshTokens(alias, current, now(), fetchFn);
      await writeMcpTokenFile(paths, alias, next);
      return next.tokens.access_token;
    } catch (err) {
      // Inside the margin the old token still works; a flaky token endpoint should not cost a request.
      if (stillValid && !(err instanceof McpAuthRequiredError)) return current.tokens.access_token;
      throw err;
    }
  });
}

function isExpired(file: McpTokenFile, now: Date): boolean {
  return file.expiresAt !== undefined && Date.parse(file.expiresAt) <= now.getTime();
}

export async function authStatus(
  alias: string,
  paths: Paths,
  opts: { now?: () => Date } = {},
): Promise<McpAuthStatus> {
  const file = await readMcpTokenFile(paths, alias);
  if (!file) return { state: "missing" };
  const expired =
    file.expiresAt !== undefined && Date.parse(file.expiresAt) <= (opts.now?.() ?? new Date()).getTime();
  return { state: expired ? "expired" : "valid", ...(file.expiresAt ? { expiresAt: file.expiresAt } : {}) };
}
