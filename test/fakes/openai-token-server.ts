import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { SignJWT } from "jose";
import { readBody } from "./read-body.js";

/**
 * A fake of OpenAI's ChatGPT token endpoint (`POST /oauth/token`) as the Codex CLI uses it:
 * single-use rotating refresh tokens, short-lived JWT access tokens carrying `exp` and the
 * `https://api.openai.com/auth` claim, and codex-rs's error shape for a refresh token used twice
 * (HTTP 401 `{error: {code: "refresh_token_reused"}}`). Takes JSON and form bodies. Counts uses.
 */
export const CODEX_CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann";

export interface CodexTokenSet {
  access_token: string;
  refresh_token: string;
  id_token: string;
}

export interface FakeOpenAiTokenServer {
  /** Base URL; the endpoint is `tokenUrl`. */
  url: string;
  tokenUrl: string;
  stats: {
    /** Successful refreshes. */
    refreshes: number;
    /** Requests that presented an already-used refresh token. */
    reused: number;
    /** Every request that reached the endpoint. */
    requests: number;
  };
  /** How many times each refresh token was presented. */
  uses: Map<string, number>;
  /** Bodies as received (parsed), with their content type; tests check the wire shape. */
  bodies: Array<{ contentType: string; body: Record<string, string> }>;
  /** Mints a login as `codex login` would have written it (the refresh token is valid once). */
  mint(opts?: { ttlS?: number }): Promise<CodexTokenSet>;
  /** Access tokens issued from now on live this long (default 3600 s). */
  setAccessTokenTtl(seconds: number): void;
  /** While set, every refresh answers this status (a simulated outage); undefined restores. */
  setOutage(status: number | undefined): void;
  /** Makes this refresh token unusable (`refresh_token_invalidated`), like a revoked grant. */
  revoke(refreshToken: string): void;
  /** Milliseconds to wait before answering (to widen races). */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

export interface FakeOpenAiTokenServerOptions {
  accountId?: string;
  plan?: string;
  email?: string;
  /** The fake's clock (ms since epoch), for simulated time. */
  now?: () => number;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

function parseBody(contentType: string, text: string): Record<string, string> {
  if (contentType.includes("application/json")) {
    const value = JSON.parse(text) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
  }
  return Object.fromEntries(new URLSearchParams(text));
}

function openAiError(code: string, message: string) {
  return { error: { message, type: "invalid_request_error", param: null, code } };
}

export async function startFakeOpenAiTokenServer(
  opts: FakeOpenAiTokenServerOptions = {},
): Promise<FakeOpenAiTokenServer> {
  const now = opts.now ?? Date.now;
  const secret = new TextEncoder().encode(randomBytes(32).toString("hex"));
  const accountId = opts.accountId ?? "acc-fake-123";
  const plan = opts.plan ?? "plus";
  const email = opts.email ?? "user@example.com";
  const valid = new Set<string>();
  const used = new Set<string>();
  const revoked = new Set<string>();
  const uses = new Map<string, number>();
  const bodies: FakeOpenAiTokenServer["bodies"] = [];
  const stats = { refreshes: 0, reused: 0, requests: 0 };
  let ttlS = 3600;
  let outage: number | undefined;
  let delayMs = 0;

  const jwt = (claims: Record<string, unknown>, ttl: number) => {
    const iat = Math.floor(now() / 1000);
    return new SignJWT({
      ...claims,
      "https://api.openai.com/auth": { chatgpt_account_id: accountId, chatgpt_plan_type: plan },
    })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setIssuedAt(iat)
      .setExpirationTime(iat + ttl)
      .setJti(randomBytes(8).toString("hex"))
      .sign(secret);
  };

  const issue = async (ttl = ttlS): Promise<CodexTokenSet> => {
    const refresh = `rt-${randomBytes(16).toString("hex")}`;
    valid.add(refresh);
    return {
      access_token: await jwt({ scp: ["openid", "profile", "email"] }, ttl),
      refresh_token: refresh,
      id_token: await jwt({ email, "https://api.openai.com/profile": { email } }, ttl),
    };
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (req.method !== "POST" || path !== "/oauth/token") return send(res, 404, { error: "not_found" });
    stats.requests++;
    const contentType = String(req.headers["content-type"] ?? "");
    let body: Record<string, string>;
    try {
      body = parseBody(contentType, await readBody(req));
    } catch {
      return send(res, 400, openAiError("invalid_request", "body is not valid JSON"));
    }
    bodies.push({ contentType, body });
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    if (body.client_id !== CODEX_CLIENT_ID)
      return send(res, 401, openAiError("invalid_client", "unknown client"));
    if (body.grant_type !== "refresh_token") {
      return send(res, 400, openAiError("unsupported_grant_type", "only refresh_token"));
    }
    const token = body.refresh_token ?? "";
    uses.set(token, (uses.get(token) ?? 0) + 1);
    if (outage) return send(res, outage, openAiError("server_error", "temporarily unavailable"));
    if (used.has(token)) {
      stats.reused++;
      return send(
        res,
        401,
        openAiError(
          "refresh_token_reused",
          "Your refresh token has already been used to generate a new access token.",
        ),
      );
    }
    if (revoked.has(token)) {
      return send(
        res,
        401,
        openAiError("refresh_token_invalidated", "Your refresh token has been invalidated."),
      );
    }
    if (!valid.has(token))
      return send(res, 400, { error: "invalid_grant", error_description: "unknown token" });
    valid.delete(token);
    used.add(token);
    stats.refreshes++;
    return send(res, 200, {
      ...(await issue()),
      token_type: "Bearer",
      expires_in: ttlS,
      scope: "openid profile email",
    });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, openAiError("server_error", String(err))));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    tokenUrl: `${url}/oauth/token`,
    stats,
    uses,
    bodies,
    mint: (o = {}) => issue(o.ttlS ?? ttlS),
    setAccessTokenTtl: (s) => {
      ttlS = s;
    },
    setOutage: (status) => {
      outage = status;
    },
    revoke: (t) => {
      valid.delete(t);
      revoked.add(t);
    },
    setDelay: (ms) => {
      delayMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
