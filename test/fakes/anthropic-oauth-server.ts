import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A fake of Anthropic's OAuth surface on 127.0.0.1:0: the authorize page (it "logs the user in"
 * at once and redirects to the loopback `redirect_uri` with `code` and `state`), the token
 * endpoint (JSON or form bodies; authorization_code with a PKCE S256 check; refresh_token with
 * rotation, a reused refresh token answered 400 invalid_grant) and an RFC 7009 revoke endpoint.
 */
export interface FakeAnthropicOAuth {
  origin: string;
  authorizeUrl: string;
  tokenUrl: string;
  revokeUrl: string;
  clientId: string;
  stats: { authorizations: number; codeExchanges: number; refreshes: number; revocations: number };
  /** The query of every authorize request, as received. */
  authorizeQueries: URLSearchParams[];
  /** Tokens revoked through the revoke endpoint. */
  revoked: string[];
  /** Whether an access token was issued here, is the newest of its grant and not revoked. */
  isAccessTokenActive(token: string): boolean;
  /** The server forgets the current access token (as if it expired early); its refresh token still works. */
  expireAccessTokens(): void;
  /** The newest refresh token of the (single) grant, for assertions. */
  currentRefreshToken(): string | undefined;
  /** The next authorize redirect carries this state instead of the one asked for (a forged link). */
  tamperNextState(state: string): void;
  /** Access tokens issued from now on live this long. */
  setAccessTokenTtl(seconds: number): void;
  close(): Promise<void>;
}

interface PendingCode {
  redirectUri: string;
  challenge: string;
  scope: string;
}

interface Grant {
  access: string;
  refresh: string;
  usedRefresh: Set<string>;
  revoked: boolean;
  accessExpired: boolean;
}

const mint = (prefix: string) => `${prefix}-${randomBytes(12).toString("hex")}`;

async function readBody(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if ((req.headers["content-type"] ?? "").includes("application/json")) {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
  }
  return Object.fromEntries(new URLSearchParams(text));
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

const invalidGrant = (res: ServerResponse, why: string) =>
  send(res, 400, { error: "invalid_grant", error_description: why });

export async function startFakeAnthropicOAuth(
  opts: { clientId?: string; email?: string; accessTtlS?: number } = {},
): Promise<FakeAnthropicOAuth> {
  const clientId = opts.clientId ?? "kavilo-test-client";
  const email = opts.email ?? "ada@example.com";
  let ttl = opts.accessTtlS ?? 3600;
  let tamperedState: string | undefined;
  const codes = new Map<string, PendingCode>();
  const grants: Grant[] = [];
  const stats = { authorizations: 0, codeExchanges: 0, refreshes: 0, revocations: 0 };
  const authorizeQueries: URLSearchParams[] = [];
  const revoked: string[] = [];

  const issue = (res: ServerResponse, grant: Grant, scope: string) =>
    send(res, 200, {
      token_type: "Bearer",
      access_token: grant.access,
      refresh_token: grant.refresh,
      expires_in: ttl,
      scope,
      account: { uuid: "acc-0001", email_address: email },
      organization: { uuid: "org-0001", name: "Ada's Org" },
    });

  function authorize(url: URL, res: ServerResponse) {
    const q = url.searchParams;
    authorizeQueries.push(q);
    const redirectUri = q.get("redirect_uri") ?? "";
    const problems = [
      q.get("response_type") !== "code" && "response_type must be code",
      q.get("client_id") !== clientId && "unknown client_id",
      !/^http:\/\/127\.0\.0\.1:\d+\//.test(redirectUri) && "redirect_uri must be a 127.0.0.1 loopback URL",
      q.get("code_challenge_method") !== "S256" && "code_challenge_method must be S256",
      !q.get("code_challenge") && "code_challenge missing",
      !q.get("state") && "state missing",
    ].filter(Boolean);
    if (problems.length) {
      res.writeHead(400, { "content-type": "text/plain" }).end(`${problems.join("; ")}\n`);
      return;
    }
    stats.authorizations++;
    const code = mint("code");
    codes.set(code, { redirectUri, challenge: q.get("code_challenge") ?? "", scope: q.get("scope") ?? "" });
    const back = new URL(redirectUri);
    back.searchParams.set("code", code);
    back.searchParams.set("state", tamperedState ?? q.get("state") ?? "");
    tamperedState = undefined;
    res.writeHead(302, { location: back.href }).end();
  }

  async function token(req: IncomingMessage, res: ServerResponse) {
    const body = await readBody(req);
    if (body.client_id !== clientId) return send(res, 401, { error: "invalid_client" });
    if (body.grant_type === "authorization_code") {
      const pending = codes.get(body.code ?? "");
      codes.delete(body.code ?? "");
      if (!pending) return invalidGrant(res, "unknown or used code");
      if (body.redirect_uri !== pending.redirectUri) return invalidGrant(res, "redirect_uri mismatch");
      const challenge = createHash("sha256")
        .update(body.code_verifier ?? "")
        .digest("base64url");
      if (challenge !== pending.challenge) return invalidGrant(res, "PKCE verification failed");
      stats.codeExchanges++;
      const grant: Grant = {
        access: mint("sk-ant-oat01-fake"),
        refresh: mint("sk-ant-ort01-fake"),
        usedRefresh: new Set(),
        revoked: false,
        accessExpired: false,
      };
      grants.push(grant);
      return issue(res, grant, pending.scope);
    }
    if (body.grant_type === "refresh_token") {
      const rt = body.refresh_token ?? "";
      const grant = grants.find((g) => g.refresh === rt || g.usedRefresh.has(rt));
      if (!grant || grant.revoked) return invalidGrant(res, "refresh token not found or revoked");
      if (grant.usedRefresh.has(rt)) return invalidGrant(res, "refresh token already used");
      stats.refreshes++;
      grant.usedRefresh.add(rt);
      grant.refresh = mint("sk-ant-ort01-fake");
      grant.access = mint("sk-ant-oat01-fake");
      grant.accessExpired = false;
      return issue(res, grant, "user:profile user:inference");
    }
    return send(res, 400, { error: "unsupported_grant_type" });
  }

  async function revoke(req: IncomingMessage, res: ServerResponse) {
    const body = await readBody(req);
    const t = body.token ?? "";
    stats.revocations++;
    revoked.push(t);
    for (const g of grants) if (g.refresh === t || g.access === t) g.revoked = true;
    res.writeHead(200).end();
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const route = `${req.method} ${url.pathname}`;
    const done = (p: Promise<void>) =>
      p.catch((err: Error) => {
        if (!res.headersSent) send(res, 400, { error: "invalid_request", error_description: err.message });
      });
    if (route === "GET /oauth/authorize") return authorize(url, res);
    if (route === "POST /v1/oauth/token") return void done(token(req, res));
    if (route === "POST /v1/oauth/revoke") return void done(revoke(req, res));
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    authorizeUrl: `${origin}/oauth/authorize`,
    tokenUrl: `${origin}/v1/oauth/token`,
    revokeUrl: `${origin}/v1/oauth/revoke`,
    clientId,
    stats,
    authorizeQueries,
    revoked,
    isAccessTokenActive: (t) => grants.some((g) => g.access === t && !g.revoked && !g.accessExpired),
    expireAccessTokens() {
      for (const g of grants) g.accessExpired = true;
    },
    currentRefreshToken: () => grants.at(-1)?.refresh,
    tamperNextState(state) {
      tamperedState = state;
    },
    setAccessTokenTtl(seconds) {
      ttl = seconds;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Plays the browser: GET the authorize URL, follow its redirect to the loopback listener; the listener's status. */
export async function playBrowser(url: string): Promise<number> {
  const res = await fetch(url, { redirect: "manual" });
  const location = res.headers.get("location");
  if (!location) throw new Error(`authorize answered ${res.status} without a redirect`);
  const back = await fetch(location);
  await back.text();
  return back.status;
}
