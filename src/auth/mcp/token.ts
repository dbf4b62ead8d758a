import {
  discoverAuthorizationServerMetadata,
  discoverOAuthServerInfo,
  type OAuthServerInfo,
  refreshAuthorization,
} from "@modelcontextprotocol/sdk/client/auth.js";
import { InvalidClientError, InvalidGrantError } from "@modelcontextprotocol/sdk/server/auth/errors.js";
import type { AuthorizationServerMetadata, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { Paths } from "../../core/base/paths.js";
import { refreshUnderLock } from "../token-store.js";
import { McpAuthRequiredError } from "./auth-required-error.js";
import {
  type McpTokenFile,
  mcpTokenPath,
  parseMcpTokenFile,
  readMcpTokenFile,
  type StoredDiscovery,
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

/** Thrown out of the locked refresh when nothing is written: the token to use instead (or none). */
class KeepToken extends Error {
  constructor(readonly token: string | undefined) {
    super("no refresh");
  }
}

/**
 * The access token of a logged-in server, refreshed first when it expires within a minute.
 * Refresh tokens rotate, so the refresh runs through the token store's refreshUnderLock: under
 * the file's lock, after re-reading it, a token another process already rotated is adopted (also
 * when the token endpoint says the refresh token was already spent). Undefined when there is no login.
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
  const path = mcpTokenPath(paths, alias);
  try {
    const outcome = await refreshUnderLock<McpTokenFile>({
      path,
      parse: (json) => parseMcpTokenFile(json, path),
      // Forced (the server refused the token): unless another process has rotated it meanwhile.
      due: (current) =>
        isDue(current, now()) ||
        (opts.force === true && current.tokens.access_token === first.tokens.access_token),
      refresh: async (current) => {
        const stillValid = !opts.force && !isExpired(current, now());
        if (!current.tokens.refresh_token)
          throw new KeepToken(stillValid ? current.tokens.access_token : undefined);
        try {
          return await refreshTokens(alias, current, now(), fetchFn);
        } catch (err) {
          // Inside the margin the old token still works; a flaky token endpoint should not cost a request.
          if (stillValid && !(err instanceof McpAuthRequiredError))
            throw new KeepToken(current.tokens.access_token);
          throw err;
        }
      },
      refreshTokenOf: (current) => current.tokens.refresh_token,
      // invalid_grant: the refresh token may have been spent by another process that just wrote the new one.
      isReused: (err) => err instanceof McpAuthRequiredError,
    });
    return outcome.kind === "missing" ? undefined : outcome.value.tokens.access_token;
  } catch (err) {
    if (err instanceof KeepToken) return err.token;
    throw err;
  }
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
