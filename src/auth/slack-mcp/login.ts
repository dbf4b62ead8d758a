import type { Paths } from "../../core/base/paths.js";
import { type LoopbackCallbackServer, startLoopbackCallbackServer } from "../loopback.js";
import { createPkce, randomState } from "../pkce.js";
import { CALLBACK_PATH, redirectPort, SLACK_MCP_USER_SCOPES, slackEndpoints } from "./endpoints.js";
import { portOwner } from "./port-owner.js";
import { tokenFromGrant } from "./refresh.js";
import {
  readSlackApp,
  readSlackToken,
  type SlackApp,
  type SlackToken,
  slackTokenPath,
  writeSlackApp,
  writeSlackToken,
} from "./token-file.js";
import { exchangeCode, type FetchFn } from "./web-api.js";

export interface SlackLoginOptions {
  alias: string;
  paths: Paths;
  env: NodeJS.ProcessEnv;
  clientId?: string;
  clientSecret?: string;
  /** Restricts the login to one workspace (`team=` on the authorize URL) and checks the answer. */
  team?: string;
  /** An HTTPS relay registered with the Slack app that forwards to the loopback callback. */
  redirectUri?: string;
  force: boolean;
  openBrowser: boolean;
  print: (line: string) => void;
  openUrl?: (url: string) => Promise<void>;
  fetchFn?: FetchFn;
  timeoutMs?: number;
  now?: () => Date;
}

/** A login that cannot go on; its message is the whole line the user reads. Nothing was written. */
export class SlackLoginError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SlackLoginError";
  }
}

export interface SlackLoginResult {
  token: SlackToken;
  tokenPath: string;
}

async function appFor(opts: SlackLoginOptions): Promise<SlackApp> {
  const saved = await readSlackApp(opts.paths, opts.alias);
  const clientId = opts.clientId ?? saved?.client_id;
  // The saved secret belongs to the saved client id only: a new --client-id needs its --client-secret.
  const savedSecret = clientId === saved?.client_id ? saved?.client_secret : undefined;
  const clientSecret = opts.clientSecret ?? savedSecret;
  if (!clientId || !clientSecret) {
    throw new SlackLoginError(
      `no Slack app on file for ${opts.alias}: pass --client-id and --client-secret (your app's, from api.slack.com/apps; see docs/slack-mcp-setup.md)`,
    );
  }
  return { client_id: clientId, client_secret: clientSecret };
}

async function listen(port: number, onStateMismatch: () => void): Promise<LoopbackCallbackServer> {
  try {
    return await startLoopbackCallbackServer(port, CALLBACK_PATH, onStateMismatch);
  } catch (err) {
    if (!/in use/.test((err as Error).message)) throw err;
    const owner = await portOwner(port);
    throw new SlackLoginError(
      `port ${port} on 127.0.0.1 is in use${owner ? ` by ${owner}` : ""}; the Slack redirect needs it: stop that process and log in again`,
    );
  }
}

export function authorizeUrl(base: string, q: Record<string, string>): string {
  const url = new URL(base);
  for (const [k, v] of Object.entries(q)) url.searchParams.set(k, v);
  return url.href;
}

async function openWithSystemBrowser(url: string): Promise<void> {
  const { default: open } = await import("open");
  await open(url);
}

/**
 * `kavilo mcp slack login`: the browser goes to Slack's user authorize page (user scopes, PKCE,
 * state); Slack sends it back to the loopback (directly, or through the HTTPS relay); the code is
 * exchanged at oauth.v2.user.access and the token and app files are written (0600).
 */
export async function slackLogin(opts: SlackLoginOptions): Promise<SlackLoginResult> {
  const now = opts.now ?? (() => new Date());
  const existing = await readSlackToken(opts.paths, opts.alias).catch(() => undefined);
  if (existing && !opts.force) {
    const who = [existing.user_id, existing.team_name ?? existing.team_id].filter(Boolean).join(" in ");
    throw new SlackLoginError(
      `${opts.alias} is already logged in${who ? ` (${who})` : ""}; pass --force to log in again`,
    );
  }
  const app = await appFor(opts);
  const endpoints = slackEndpoints(opts.env);
  let mismatch = () => {};
  const mismatched = new Promise<never>((_, reject) => {
    mismatch = () =>
      reject(new SlackLoginError("OAuth state mismatch; nothing was saved: start the login again"));
  });
  mismatched.catch(() => {});
  const server = await listen(redirectPort(opts.env), () => mismatch());
  try {
    const redirectUri = opts.redirectUri ?? server.redirectUrl;
    const state = randomState();
    const pkce = createPkce();
    const url = authorizeUrl(endpoints.authorizeUrl, {
      client_id: app.client_id,
      user_scope: SLACK_MCP_USER_SCOPES.join(","),
      redirect_uri: redirectUri,
      state,
      code_challenge: pkce.challenge,
      code_challenge_method: pkce.method,
      ...(opts.team ? { team: opts.team } : {}),
    });
    const callback = server.waitForCallback(state, opts.timeoutMs ?? 5 * 60_000);
    opts.print(`Open this URL to log in to Slack as ${opts.alias}:`);
    opts.print(url);
    if (opts.openBrowser) {
      await (opts.openUrl ?? openWithSystemBrowser)(url).catch((err: Error) =>
        opts.print(`Could not open a browser (${err.message}); open the URL above yourself.`),
      );
    }
    opts.print(`Waiting for the redirect on ${server.redirectUrl} ...`);
    const back = await Promise.race([
      callback.catch((err: Error) => {
        throw new SlackLoginError(`${err.message}; nothing was saved`);
      }),
      mismatched,
    ]);
    const refused = back.searchParams.get("error");
    if (refused) throw new SlackLoginError(`Slack refused the login (${refused}); nothing was saved`);
    if (back.searchParams.get("state") !== state) {
      throw new SlackLoginError("OAuth state mismatch; nothing was saved: start the login again");
    }
    const code = back.searchParams.get("code");
    if (!code) throw new SlackLoginError("the redirect carried no code; nothing was saved");
    const grant = await exchangeCode(
      endpoints.apiUrl,
      { clientId: app.client_id, clientSecret: app.client_secret },
      { code, redirectUri, codeVerifier: pkce.verifier },
      opts.fetchFn,
    );
    if (opts.team && grant.teamId && grant.teamId !== opts.team) {
      throw new SlackLoginError(
        `Slack logged you in to team ${grant.teamId}, not ${opts.team}; nothing was saved`,
      );
    }
    const token = tokenFromGrant(grant, now());
    await writeSlackApp(opts.paths, opts.alias, {
      ...app,
      ...(opts.redirectUri ? { redirect_uri: opts.redirectUri } : {}),
    });
    await writeSlackToken(opts.paths, opts.alias, token);
    return { token, tokenPath: slackTokenPath(opts.paths, opts.alias) };
  } finally {
    await server.close();
  }
}
