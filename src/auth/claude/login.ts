import { dirname } from "node:path";
import { withFileMutex } from "../../core/base/file-lock.js";
import type { Paths } from "../../core/base/paths.js";
import { startLoopbackCallbackServer } from "../loopback.js";
import { createPkce, randomState } from "../pkce.js";
import { ensurePrivateDir, tokenLockPath, writeTokenJson } from "../token-store.js";
import { exchangeCode, type HttpDeps, tokenFields } from "./oauth-client.js";
import { CALLBACK_PATH, type ClaudeOAuthSettings } from "./settings.js";
import { type ClaudeToken, claudeTokenPath, parseClaudeToken } from "./token-file.js";

/** Anthropic's terms, said once at login: a subscription token is for Anthropic's own apps. */
export const TERMS_WARNING =
  "Note: Anthropic's terms restrict Claude Pro/Max subscription tokens to Anthropic's own apps, and Anthropic enforces this; requests from kavilo may be refused. A developer API key (ANTHROPIC_API_KEY) is the supported path.";

export interface ClaudeLoginOptions {
  paths: Pick<Paths, "auth">;
  settings: ClaudeOAuthSettings;
  clientId: string;
  openBrowser: boolean;
  /** Lines for the user (stderr). */
  print: (line: string) => void;
  openUrl?: (url: string) => Promise<void>;
  /** How long to wait for the browser to come back. Default 5 minutes. */
  timeoutMs?: number;
  http?: HttpDeps;
  now?: () => Date;
}

async function openWithSystemBrowser(url: string): Promise<void> {
  const { default: open } = await import("open");
  await open(url);
}

/** The authorize URL: authorization code with PKCE S256, redirecting to the loopback listener. */
export function authorizeUrl(
  settings: ClaudeOAuthSettings,
  clientId: string,
  redirectUri: string,
  challenge: string,
  state: string,
): string {
  const url = new URL(settings.authorizeUrl);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", clientId);
  url.searchParams.set("redirect_uri", redirectUri);
  url.searchParams.set("scope", settings.scopes);
  url.searchParams.set("code_challenge", challenge);
  url.searchParams.set("code_challenge_method", "S256");
  url.searchParams.set("state", state);
  return url.href;
}

/** Writes a new login under the token store's lock, so a refresh in another process cannot overwrite it. */
async function saveLogin(path: string, file: Record<string, unknown>): Promise<void> {
  await ensurePrivateDir(dirname(path));
  await withFileMutex(tokenLockPath(path), () => writeTokenJson(path, file));
}

/**
 * `kavilo auth claude login`: listens on 127.0.0.1, prints the authorize URL (and opens it unless
 * told not to), checks the state of the redirect, exchanges the code with the PKCE verifier and
 * stores the tokens (0600 in a 0700 folder). Nothing is written unless every step succeeded.
 */
export async function claudeLogin(opts: ClaudeLoginOptions): Promise<ClaudeToken> {
  const server = await startLoopbackCallbackServer(opts.settings.redirectPort, CALLBACK_PATH);
  try {
    const pkce = createPkce();
    const state = randomState();
    const url = authorizeUrl(opts.settings, opts.clientId, server.redirectUrl, pkce.challenge, state);
    const callback = server.waitForCallback(state, opts.timeoutMs ?? 5 * 60_000);
    opts.print("Open this URL to log in with your Claude account:");
    opts.print(url);
    if (opts.openBrowser) {
      try {
        await (opts.openUrl ?? openWithSystemBrowser)(url);
      } catch (err) {
        opts.print(`Could not open a browser (${(err as Error).message}); open the URL above yourself.`);
      }
    }
    opts.print(`Waiting for the redirect on ${server.redirectUrl} ...`);
    const back = await callback;
    const refused = back.searchParams.get("error");
    if (refused) {
      const why = back.searchParams.get("error_description");
      throw new Error(`authorization refused: ${refused}${why ? ` (${why})` : ""}`);
    }
    const code = back.searchParams.get("code");
    if (!code) throw new Error("the redirect carries no authorization code; run the login again");
    // The listener only delivers a redirect with our state; checked again so this never depends on it.
    if (back.searchParams.get("state") !== state)
      throw new Error("OAuth state mismatch; run the login again");
    const now = (opts.now ?? (() => new Date()))();
    const tokens = await exchangeCode(
      {
        tokenUrl: opts.settings.tokenUrl,
        clientId: opts.clientId,
        code,
        verifier: pkce.verifier,
        redirectUri: server.redirectUrl,
        state,
      },
      opts.http,
    );
    const path = claudeTokenPath(opts.paths);
    const file = {
      ...tokenFields(tokens, now),
      source: "login",
      clientId: opts.clientId,
      tokenUrl: opts.settings.tokenUrl,
      savedAt: now.toISOString(),
    };
    const token = parseClaudeToken(path, file);
    await saveLogin(path, file);
    return token;
  } finally {
    await server.close();
  }
}

/** `login --token <value>`: stores a token the user already has. It has no refresh token. */
export async function storeClaudeToken(
  paths: Pick<Paths, "auth">,
  accessToken: string,
  now = new Date(),
): Promise<ClaudeToken> {
  const path = claudeTokenPath(paths);
  const file = { accessToken, scopes: [], source: "token", savedAt: now.toISOString() };
  const token = parseClaudeToken(path, file);
  await saveLogin(path, file);
  return token;
}
