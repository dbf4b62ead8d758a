import * as z from "zod";
import { maskKnown } from "../../core/base/redact.js";
import { EndpointUnreachableError, hostOf, postTokenJson, type TokenPostAnswer } from "../token-post.js";
import type { ClaudeToken } from "./token-file.js";

/** A failed call to the OAuth server, as one line with no token in it. */
export class ClaudeOAuthError extends Error {
  constructor(
    message: string,
    /** The OAuth `error` code (`invalid_grant`, ...) when the server gave one. */
    readonly code?: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "ClaudeOAuthError";
  }
}

/** The refresh token is spent or revoked: another process may have rotated it (re-read first). */
export function isRefreshTokenRejected(err: unknown): boolean {
  return (
    err instanceof ClaudeOAuthError && (err.code === "invalid_grant" || err.code === "refresh_token_reused")
  );
}

const who = z.looseObject({
  uuid: z.string().optional(),
  email_address: z.string().optional(),
  name: z.string().optional(),
});

const tokenResponse = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.number().nonnegative().optional(),
  scope: z.string().optional(),
  token_type: z.string().optional(),
  account: who.optional(),
  organization: who.optional(),
});

export type TokenResponse = z.infer<typeof tokenResponse>;

const errorBody = z.looseObject({
  error: z.union([
    z.string(),
    z.looseObject({ type: z.string().optional(), message: z.string().optional() }),
  ]),
  error_description: z.string().optional(),
});

export interface HttpDeps {
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** POSTs JSON (the body Anthropic's token endpoint reads) and returns the parsed JSON answer. */
async function postJson(
  url: string,
  body: Record<string, string>,
  what: string,
  deps: HttpDeps,
  secrets: string[],
): Promise<unknown> {
  let res: TokenPostAnswer;
  try {
    res = await postTokenJson(url, body, {
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
      timeoutMs: deps.timeoutMs ?? 30_000,
    });
  } catch (err) {
    if (err instanceof EndpointUnreachableError) throw new ClaudeOAuthError(`${what}: ${err.message}`);
    throw err;
  }
  const text = res.text;
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const parsed = errorBody.safeParse(json);
    let code: string | undefined;
    let detail = "";
    if (parsed.success) {
      const e = parsed.data.error;
      code = typeof e === "string" ? e : e.type;
      const description = parsed.data.error_description ?? (typeof e === "string" ? undefined : e.message);
      detail = [code, description].filter(Boolean).join(": ");
    }
    const message = `${what}: ${hostOf(url)} answered ${res.status}${detail ? ` (${detail})` : ""}`;
    throw new ClaudeOAuthError(maskKnown(message, secrets, 4), code, res.status);
  }
  return json;
}

function parseTokens(json: unknown, what: string): TokenResponse {
  const parsed = tokenResponse.safeParse(json);
  if (!parsed.success)
    throw new ClaudeOAuthError(`${what}: the token endpoint's answer holds no access_token`);
  return parsed.data;
}

export interface CodeExchange {
  tokenUrl: string;
  clientId: string;
  code: string;
  verifier: string;
  redirectUri: string;
  state: string;
}

/** authorization_code grant with the PKCE verifier. */
export async function exchangeCode(x: CodeExchange, deps: HttpDeps = {}): Promise<TokenResponse> {
  const json = await postJson(
    x.tokenUrl,
    {
      grant_type: "authorization_code",
      code: x.code,
      redirect_uri: x.redirectUri,
      client_id: x.clientId,
      code_verifier: x.verifier,
      state: x.state,
    },
    "token exchange failed",
    deps,
    [x.code, x.verifier],
  );
  return parseTokens(json, "token exchange failed");
}

export async function refreshTokens(
  x: { tokenUrl: string; clientId: string; refreshToken: string },
  deps: HttpDeps = {},
): Promise<TokenResponse> {
  const json = await postJson(
    x.tokenUrl,
    { grant_type: "refresh_token", refresh_token: x.refreshToken, client_id: x.clientId },
    "Claude token refresh failed",
    deps,
    [x.refreshToken],
  );
  return parseTokens(json, "Claude token refresh failed");
}

/** RFC 7009 revoke (form body). Resolves on any 2xx; throws ClaudeOAuthError otherwise. */
export async function revokeToken(
  x: {
    revokeUrl: string;
    clientId: string | undefined;
    token: string;
    hint: "refresh_token" | "access_token";
  },
  deps: HttpDeps = {},
): Promise<void> {
  const form = new URLSearchParams({ token: x.token, token_type_hint: x.hint });
  if (x.clientId) form.set("client_id", x.clientId);
  let res: Response;
  try {
    res = await (deps.fetch ?? fetch)(x.revokeUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form,
      signal: AbortSignal.timeout(deps.timeoutMs ?? 15_000),
    });
    await res.body?.cancel().catch(() => {});
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    throw new ClaudeOAuthError(`cannot reach ${hostOf(x.revokeUrl)} (${e.cause?.code ?? e.message})`);
  }
  if (!res.ok)
    throw new ClaudeOAuthError(`${hostOf(x.revokeUrl)} answered ${res.status}`, undefined, res.status);
}

/** The token file's fields from a token response, merged over what the file held (unknown keys kept). */
export function tokenFields(
  r: TokenResponse,
  now: Date,
  previous?: Pick<ClaudeToken, "refreshToken" | "scopes" | "account" | "organization">,
): Partial<ClaudeToken> {
  const account = r.account
    ? {
        ...(r.account.email_address ? { email: r.account.email_address } : {}),
        ...(r.account.uuid ? { uuid: r.account.uuid } : {}),
      }
    : previous?.account;
  const organization = r.organization
    ? {
        ...(r.organization.name ? { name: r.organization.name } : {}),
        ...(r.organization.uuid ? { uuid: r.organization.uuid } : {}),
      }
    : previous?.organization;
  const refreshToken = r.refresh_token ?? previous?.refreshToken;
  return {
    accessToken: r.access_token,
    ...(refreshToken ? { refreshToken } : {}),
    ...(r.expires_in !== undefined
      ? { expiresAt: new Date(now.getTime() + r.expires_in * 1000).toISOString() }
      : {}),
    scopes: r.scope ? r.scope.split(/\s+/).filter(Boolean) : (previous?.scopes ?? []),
    ...(account ? { account } : {}),
    ...(organization ? { organization } : {}),
  };
}
