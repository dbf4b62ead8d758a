import { auth, discoverOAuthServerInfo } from "@modelcontextprotocol/sdk/client/auth.js";
import type { OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import { withFileMutex } from "../../core/base/file-lock.js";
import type { Paths } from "../../core/base/paths.js";
import { startLoopbackCallbackServer } from "../loopback.js";
import { randomState } from "../pkce.js";
import { probeChallenge } from "./challenge.js";
import { LoginOAuthProvider } from "./oauth-provider.js";
import { loginScope } from "./step-up.js";
import {
  type McpTokenFile,
  mcpTokenLockPath,
  mcpTokenPath,
  readMcpPending,
  readMcpTokenFile,
  removeMcpPending,
  type StoredClientInformation,
  writeMcpPending,
  writeMcpTokenFile,
} from "./token-file.js";

export { authStatus, getValidAccessToken, type McpAuthStatus } from "./token.js";

export const DEFAULT_REDIRECT_PORT = 7898;
const CALLBACK_PATH = "/oauth/callback";

export interface McpLoginStartOptions {
  alias: string;
  serverUrl: string;
  paths: Paths;
  clientId?: string;
  clientSecret?: string;
  /** Where the browser is sent back to; default http://127.0.0.1:7898/oauth/callback. */
  redirectUrl?: string;
  fetchFn?: FetchLike;
}

export interface McpLoginFinishOptions {
  alias: string;
  paths: Paths;
  /** The full URL the browser landed on (holds code and state). */
  callbackUrl?: string;
  code?: string;
  state?: string;
  fetchFn?: FetchLike;
  now?: () => Date;
}

export interface McpLoginOptions {
  alias: string;
  serverUrl: string;
  paths: Paths;
  clientId?: string;
  clientSecret?: string;
  openBrowser: boolean;
  print: (line: string) => void;
  /** Loopback port of the redirect; 0 picks a free one. Default 7898. */
  redirectPort?: number;
  openUrl?: (url: string) => Promise<void>;
  fetchFn?: FetchLike;
  /** How long to wait for the browser to come back. Default 5 minutes. */
  timeoutMs?: number;
  now?: () => Date;
}

function configuredClient(clientId?: string, clientSecret?: string): StoredClientInformation | undefined {
  if (!clientId) return undefined;
  return clientSecret ? { client_id: clientId, client_secret: clientSecret } : { client_id: clientId };
}

/** The server neither demands a token nor publishes OAuth metadata: there is nothing to log in to. */
export class McpLoginNotNeededError extends Error {
  constructor(alias: string) {
    super(`${alias} does not ask for OAuth; no login is needed`);
    this.name = "McpLoginNotNeededError";
  }
}

async function asksForOAuth(serverUrl: string, fetchFn: FetchLike | undefined): Promise<boolean> {
  try {
    const info = await discoverOAuthServerInfo(serverUrl, fetchFn ? { fetchFn } : {});
    return Boolean(info.resourceMetadata || info.authorizationServerMetadata);
  } catch {
    // Metadata that exists but does not parse is still OAuth; let auth() report what is wrong.
    return true;
  }
}

/**
 * A client registered by an earlier login, reused when it belongs to the same authorization
 * server and redirect: registering anew on every login would pile up clients at the server.
 */
async function storedClientFor(
  opts: McpLoginStartOptions,
  redirectUrl: string,
): Promise<{ client: StoredClientInformation; authorizationServerUrl: string } | undefined> {
  const file = await readMcpTokenFile(opts.paths, opts.alias).catch(() => undefined);
  const authorizationServerUrl = file?.discovery?.authorizationServerUrl;
  if (!file || !authorizationServerUrl || file.redirectUrl !== redirectUrl) return undefined;
  return { client: file.clientInformation, authorizationServerUrl };
}

/**
 * First half of a login, for callers that cannot listen for the redirect themselves (an editor
 * driving kavilo over MCP): discovery, registration and PKCE happen now, and the verifier and
 * state wait in `pending/<alias>.json` for mcpLoginFinish.
 */
export async function mcpLoginStart(
  opts: McpLoginStartOptions,
): Promise<{ authorizationUrl: string; state: string }> {
  const redirectUrl = opts.redirectUrl ?? `http://127.0.0.1:${DEFAULT_REDIRECT_PORT}${CALLBACK_PATH}`;
  const state = randomState();
  const client = configuredClient(opts.clientId, opts.clientSecret);
  const reusable = client ? undefined : await storedClientFor(opts, redirectUrl);
  const provider = new LoginOAuthProvider({
    redirectUrl,
    state,
    ...(client ? { clientInformation: client } : {}),
    ...(reusable ? { reusableClient: reusable } : {}),
  });
  // Discovery starts where a real connection meets the server's challenge: its POSTs.
  const probe = await probeChallenge(opts.serverUrl, opts.fetchFn ?? fetch);
  const challenge = probe.challenge;
  if (probe.reached && !challenge && !(await asksForOAuth(opts.serverUrl, opts.fetchFn))) {
    throw new McpLoginNotNeededError(opts.alias);
  }
  const stored = await readMcpTokenFile(opts.paths, opts.alias).catch(() => undefined);
  const scope = loginScope(challenge?.scope, stored);
  const result = await auth(provider, {
    serverUrl: opts.serverUrl,
    ...(challenge?.resourceMetadataUrl
      ? { resourceMetadataUrl: new URL(challenge.resourceMetadataUrl) }
      : {}),
    ...(scope ? { scope } : {}),
    ...(opts.fetchFn ? { fetchFn: opts.fetchFn } : {}),
  });
  const clientInformation = provider.storedClient;
  if (result !== "REDIRECT" || !provider.authorizationUrl || !clientInformation) {
    throw new Error(`${opts.alias}: the authorization server did not start a browser login`);
  }
  const discovery = provider.storedDiscovery;
  const requestedScope = provider.authorizationUrl.searchParams.get("scope");
  await writeMcpPending(opts.paths, opts.alias, {
    serverUrl: opts.serverUrl,
    state,
    codeVerifier: provider.codeVerifier(),
    redirectUrl,
    clientInformation,
    ...(discovery ? { discovery } : {}),
    ...(requestedScope ? { scope: requestedScope } : {}),
    createdAt: new Date().toISOString(),
  });
  return { authorizationUrl: provider.authorizationUrl.href, state };
}

function toStoredTokens(tokens: OAuthTokens, requested: string | undefined): McpTokenFile["tokens"] {
  const scope = tokens.scope ?? requested;
  return {
    access_token: tokens.access_token,
    token_type: tokens.token_type,
    ...(tokens.refresh_token ? { refresh_token: tokens.refresh_token } : {}),
    ...(scope ? { scope } : {}),
  };
}

export function expiresAtOf(tokens: OAuthTokens, now: Date): string | undefined {
  return tokens.expires_in === undefined
    ? undefined
    : new Date(now.getTime() + tokens.expires_in * 1000).toISOString();
}

/** Second half of a login: checks the state, exchanges the code and stores the tokens (0600). */
export async function mcpLoginFinish(opts: McpLoginFinishOptions): Promise<void> {
  const pending = await readMcpPending(opts.paths, opts.alias);
  if (!pending) throw new Error(`no login in progress for ${opts.alias}; start one first`);
  let code = opts.code;
  let state = opts.state;
  if (opts.callbackUrl) {
    const url = new URL(opts.callbackUrl);
    const refused = url.searchParams.get("error");
    if (refused) {
      const why = url.searchParams.get("error_description");
      throw new Error(`${opts.alias}: authorization refused: ${refused}${why ? ` (${why})` : ""}`);
    }
    code = url.searchParams.get("code") ?? code;
    state = url.searchParams.get("state") ?? state;
  }
  if (!code) throw new Error(`${opts.alias}: the callback carries no authorization code`);
  if (state !== pending.state) throw new Error(`${opts.alias}: OAuth state mismatch; start the login again`);

  const provider = new LoginOAuthProvider({
    redirectUrl: pending.redirectUrl,
    state: pending.state,
    clientInformation: pending.clientInformation,
    codeVerifier: pending.codeVerifier,
    ...(pending.discovery ? { discovery: pending.discovery } : {}),
  });
  await auth(provider, {
    serverUrl: pending.serverUrl,
    authorizationCode: code,
    ...(opts.fetchFn ? { fetchFn: opts.fetchFn } : {}),
  });
  const tokens = provider.savedTokens;
  const clientInformation = provider.storedClient;
  if (!tokens || !clientInformation) throw new Error(`${opts.alias}: the token exchange returned no tokens`);
  const now = (opts.now ?? (() => new Date()))();
  const expiresAt = expiresAtOf(tokens, now);
  const discovery = provider.storedDiscovery;
  // Under the token file's lock: a refresh running in another process must not write over the new login.
  await withFileMutex(mcpTokenLockPath(opts.paths, opts.alias), () =>
    writeMcpTokenFile(opts.paths, opts.alias, {
      serverUrl: pending.serverUrl,
      clientInformation,
      tokens: toStoredTokens(tokens, pending.scope),
      ...(expiresAt ? { expiresAt } : {}),
      savedAt: now.toISOString(),
      redirectUrl: pending.redirectUrl,
      ...(discovery ? { discovery } : {}),
    }),
  );
  await removeMcpPending(opts.paths, opts.alias);
}

async function openWithSystemBrowser(url: string): Promise<void> {
  const { default: open } = await import("open");
  await open(url);
}

/**
 * The interactive login of `kavilo mcp login`: listens on the loopback redirect, prints the
 * URL (always), opens the browser when asked, and stores the tokens once the browser is back.
 */
export async function mcpLogin(opts: McpLoginOptions): Promise<void> {
  const server = await startLoopbackCallbackServer(opts.redirectPort ?? DEFAULT_REDIRECT_PORT, CALLBACK_PATH);
  try {
    const { authorizationUrl, state } = await mcpLoginStart({
      alias: opts.alias,
      serverUrl: opts.serverUrl,
      paths: opts.paths,
      redirectUrl: server.redirectUrl,
      ...(opts.clientId ? { clientId: opts.clientId } : {}),
      ...(opts.clientSecret ? { clientSecret: opts.clientSecret } : {}),
      ...(opts.fetchFn ? { fetchFn: opts.fetchFn } : {}),
    });
    const callback = server.waitForCallback(state, opts.timeoutMs ?? 5 * 60_000);
    opts.print(`Open this URL to log in to ${opts.alias}:`);
    opts.print(authorizationUrl);
    if (opts.openBrowser) {
      try {
        await (opts.openUrl ?? openWithSystemBrowser)(authorizationUrl);
      } catch (err) {
        opts.print(`Could not open a browser (${(err as Error).message}); open the URL above yourself.`);
      }
    }
    opts.print(`Waiting for the redirect on ${server.redirectUrl} ...`);
    const callbackUrl = await callback;
    await mcpLoginFinish({
      alias: opts.alias,
      paths: opts.paths,
      callbackUrl: callbackUrl.href,
      ...(opts.fetchFn ? { fetchFn: opts.fetchFn } : {}),
      ...(opts.now ? { now: opts.now } : {}),
    });
    opts.print(`Logged in to ${opts.alias}; token saved to ${mcpTokenPath(opts.paths, opts.alias)}`);
  } catch (err) {
    await removeMcpPending(opts.paths, opts.alias).catch(() => {});
    throw err;
  } finally {
    await server.close();
  }
}
