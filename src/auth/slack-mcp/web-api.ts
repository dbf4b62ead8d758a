import * as z from "zod";

/**
 * The few Slack Web API calls the login, the refresher and logout make, over plain fetch
 * (form-encoded POST, `ok: false` carries the error code). The SDK is kept for `mcp serve slack`.
 */

export type FetchFn = (url: string | URL, init?: RequestInit) => Promise<Response>;

/** Slack answered `ok: false`; `code` is Slack's error (`invalid_code`, `invalid_refresh_token`, ...). */
export class SlackApiError extends Error {
  constructor(
    readonly method: string,
    readonly code: string,
    readonly needed?: string,
  ) {
    super(`Slack ${method} failed: ${code}${needed ? ` (needs scope ${needed})` : ""}`);
    this.name = "SlackApiError";
  }
}

const okSchema = z.looseObject({
  ok: z.boolean(),
  error: z.string().optional(),
  needed: z.string().optional(),
});

export async function callSlack(
  apiUrl: string,
  method: string,
  params: Record<string, string>,
  opts: { token?: string; fetchFn?: FetchFn; signal?: AbortSignal } = {},
): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const res = await (opts.fetchFn ?? fetch)(new URL(method, apiUrl), {
    method: "POST",
    headers,
    body: new URLSearchParams(params).toString(),
    signal: opts.signal ?? AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`Slack ${method} answered HTTP ${res.status} with no JSON`);
  }
  const parsed = okSchema.safeParse(body);
  if (!parsed.success) throw new Error(`Slack ${method} answered HTTP ${res.status} without "ok"`);
  if (!parsed.data.ok)
    throw new SlackApiError(method, parsed.data.error ?? "unknown_error", parsed.data.needed);
  return parsed.data;
}

const tokenPart = z.looseObject({
  access_token: z.string().min(1).optional(),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.number().optional(),
  token_type: z.string().optional(),
  scope: z.string().optional(),
  id: z.string().optional(),
});
const grantSchema = tokenPart.extend({
  user_id: z.string().optional(),
  team: z.looseObject({ id: z.string().optional(), name: z.string().optional() }).nullish(),
  authed_user: tokenPart.optional(),
});

/** A user token grant, wherever Slack put it (top level, or under `authed_user`). */
export interface UserGrant {
  accessToken: string;
  refreshToken?: string;
  expiresIn?: number;
  tokenType?: string;
  scope?: string;
  userId?: string;
  teamId?: string;
  teamName?: string;
}

export function userGrantOf(method: string, body: unknown): UserGrant {
  const parsed = grantSchema.safeParse(body);
  if (!parsed.success) throw new Error(`Slack ${method} answered an unexpected shape`);
  const g = parsed.data;
  const user = g.authed_user?.access_token ? g.authed_user : undefined;
  const src = user ?? g;
  if (!src.access_token) throw new Error(`Slack ${method} answered no user access token`);
  const grant: UserGrant = { accessToken: src.access_token };
  const refreshToken = src.refresh_token;
  if (refreshToken) grant.refreshToken = refreshToken;
  if (src.expires_in !== undefined) grant.expiresIn = src.expires_in;
  if (src.token_type) grant.tokenType = src.token_type;
  if (src.scope) grant.scope = src.scope;
  const userId = user?.id ?? g.user_id;
  if (userId) grant.userId = userId;
  if (g.team?.id) grant.teamId = g.team.id;
  if (g.team?.name) grant.teamName = g.team.name;
  return grant;
}

export interface AppCredentials {
  clientId: string;
  clientSecret: string;
}

/** The code from the redirect, exchanged for the user token (`oauth.v2.user.access`, PKCE verifier). */
export async function exchangeCode(
  apiUrl: string,
  app: AppCredentials,
  args: { code: string; redirectUri: string; codeVerifier: string },
  fetchFn?: FetchFn,
): Promise<UserGrant> {
  const method = "oauth.v2.user.access";
  const body = await callSlack(
    apiUrl,
    method,
    {
      client_id: app.clientId,
      client_secret: app.clientSecret,
      code: args.code,
      redirect_uri: args.redirectUri,
      code_verifier: args.codeVerifier,
      grant_type: "authorization_code",
    },
    fetchFn ? { fetchFn } : {},
  );
  return userGrantOf(method, body);
}

/** A rotating user token refreshed (`oauth.v2.access`, grant_type=refresh_token; the old one is spent). */
export async function refreshGrant(
  apiUrl: string,
  app: AppCredentials,
  refreshToken: string,
  fetchFn?: FetchFn,
): Promise<UserGrant> {
  const method = "oauth.v2.access";
  const body = await callSlack(
    apiUrl,
    method,
    {
      client_id: app.clientId,
      client_secret: app.clientSecret,
      grant_type: "refresh_token",
      refresh_token: refreshToken,
    },
    fetchFn ? { fetchFn } : {},
  );
  return userGrantOf(method, body);
}

/** Revokes the token server-side (`auth.revoke`). */
export async function revokeToken(apiUrl: string, token: string, fetchFn?: FetchFn): Promise<void> {
  await callSlack(apiUrl, "auth.revoke", {}, { token, ...(fetchFn ? { fetchFn } : {}) });
}
