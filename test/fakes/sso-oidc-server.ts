import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { readBody } from "./read-body.js";

/**
 * A fake AWS SSO-OIDC endpoint: `POST /token` (CreateToken, restJson1) with the refresh-token grant.
 * Refresh tokens rotate and work once; access tokens are short-lived. Errors come as AWS does them:
 * HTTP 400 with `x-amzn-errortype: InvalidGrantException` and `{error, error_description}`.
 */
export interface FakeSsoOidcServer {
  url: string;
  stats: { requests: number; refreshes: number; reused: number };
  uses: Map<string, number>;
  bodies: Array<Record<string, unknown>>;
  /** Registers a client and mints a login as `aws sso login` would (valid refresh token). */
  login(): { clientId: string; clientSecret: string; accessToken: string; refreshToken: string };
  /** Access tokens issued from now on live this long (default 3600 s). */
  setExpiresIn(seconds: number): void;
  /** The access token's expiry as the fake issued it (ms), by token. */
  expiryOf(accessToken: string): number | undefined;
  revoke(refreshToken: string): void;
  setOutage(status: number | undefined): void;
  close(): Promise<void>;
}

function awsError(res: ServerResponse, status: number, type: string, error: string, description: string) {
  res.writeHead(status, {
    "content-type": "application/json",
    "x-amzn-errortype": `${type}:http://internal.amazon.com/coral/com.amazonaws.ssooidc.v20190610/`,
    "x-amzn-requestid": randomBytes(8).toString("hex"),
  });
  res.end(JSON.stringify({ error, error_description: description }));
}

export async function startFakeSsoOidcServer(opts: { now?: () => number } = {}): Promise<FakeSsoOidcServer> {
  const now = opts.now ?? Date.now;
  const clients = new Map<string, string>();
  const valid = new Map<string, string>(); // refresh token → client id
  const used = new Set<string>();
  const expiries = new Map<string, number>();
  const uses = new Map<string, number>();
  const bodies: Array<Record<string, unknown>> = [];
  const stats = { requests: 0, refreshes: 0, reused: 0 };
  let expiresIn = 3600;
  let outage: number | undefined;

  const mint = (clientId: string) => {
    const accessToken = `aoa${randomBytes(24).toString("base64url")}`;
    const refreshToken = `aor${randomBytes(24).toString("base64url")}`;
    valid.set(refreshToken, clientId);
    expiries.set(accessToken, now() + expiresIn * 1000);
    return { accessToken, refreshToken };
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (req.method !== "POST" || path !== "/token") {
      return awsError(res, 404, "UnknownOperationException", "unknown_operation", "not found");
    }
    stats.requests++;
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(await readBody(req)) as Record<string, unknown>;
    } catch {
      return awsError(res, 400, "InvalidRequestException", "invalid_request", "body is not JSON");
    }
    bodies.push(body);
    const clientId = String(body.clientId ?? "");
    const token = String(body.refreshToken ?? "");
    uses.set(token, (uses.get(token) ?? 0) + 1);
    if (outage) return awsError(res, outage, "InternalServerException", "server_error", "try again");
    if (body.grantType !== "refresh_token") {
      return awsError(res, 400, "UnsupportedGrantTypeException", "unsupported_grant_type", "grant");
    }
    if (clients.get(clientId) !== body.clientSecret) {
      return awsError(res, 401, "InvalidClientException", "invalid_client", "unknown client");
    }
    if (used.has(token)) stats.reused++;
    if (valid.get(token) !== clientId) {
      return awsError(res, 400, "InvalidGrantException", "invalid_grant", "Invalid refresh token provided");
    }
    valid.delete(token);
    used.add(token);
    stats.refreshes++;
    const fresh = mint(clientId);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ ...fresh, tokenType: "Bearer", expiresIn }));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) =>
      awsError(res, 500, "InternalServerException", "server_error", String(err)),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    uses,
    bodies,
    login() {
      const clientId = `client-${randomBytes(6).toString("hex")}`;
      const clientSecret = `secret-${randomBytes(12).toString("hex")}`;
      clients.set(clientId, clientSecret);
      return { clientId, clientSecret, ...mint(clientId) };
    },
    setExpiresIn: (s) => {
      expiresIn = s;
    },
    expiryOf: (t) => expiries.get(t),
    revoke: (t) => {
      valid.delete(t);
    },
    setOutage: (s) => {
      outage = s;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
