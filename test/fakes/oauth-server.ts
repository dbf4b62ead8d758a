import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { readBody } from "./read-body.js";

/**
 * A loopback OAuth 2.1 authorization server plus a protected MCP endpoint, speaking the real
 * wire formats: RFC 9728 resource metadata, RFC 8414 server metadata, RFC 7591 registration,
 * PKCE S256, rotating refresh tokens, and 401 + WWW-Authenticate for missing bearer tokens.
 */
export interface FakeOAuthServer {
  url: string;
  mcpUrl: string;
  stats: {
    registrations: number;
    authorizations: number;
    codeExchanges: number;
    refreshes: number;
    mcpRequests: number;
  };
  /** A valid access token minted outside the OAuth flow (for static bearer tests). */
  mintAccessToken(clientId?: string): string;
  revokeAccessToken(token: string): void;
  isRefreshTokenValid(token: string): boolean;
  /** Tokens issued from now on live this long. */
  setAccessTokenTtl(seconds: number): void;
  close(): Promise<void>;
}

interface Client {
  client_id: string;
  client_secret?: string;
  redirect_uris: string[];
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  resource: string | null;
}

const token = (prefix: string) => `${prefix}-${randomBytes(12).toString("hex")}`;

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
  res.end(JSON.stringify(body));
}

export async function startFakeOAuthServer(
  opts: {
    preRegistered?: { client_id: string; client_secret: string };
    /** Serve the resource metadata only here (named in WWW-Authenticate), not at the well-known paths. */
    resourceMetadataPath?: string;
  } = {},
): Promise<FakeOAuthServer> {
  const clients = new Map<string, Client>();
  if (opts.preRegistered)
    clients.set(opts.preRegistered.client_id, { ...opts.preRegistered, redirect_uris: [] });
  const codes = new Map<string, PendingCode>();
  const accessTokens = new Map<string, { clientId: string; expiresAt: number }>();
  const refreshTokens = new Map<string, string>();
  const stats = { registrations: 0, authorizations: 0, codeExchanges: 0, refreshes: 0, mcpRequests: 0 };
  let ttlS = 3600;
  const prmPath = opts.resourceMetadataPath ?? "/.well-known/oauth-protected-resource/mcp";
  let base = "";

  const issue = (clientId: string) => {
    const access = token("at");
    const refresh = token("rt");
    accessTokens.set(access, { clientId, expiresAt: Date.now() + ttlS * 1000 });
    refreshTokens.set(refresh, clientId);
    return {
      access_token: access,
      refresh_token: refresh,
      token_type: "Bearer",
      expires_in: ttlS,
      scope: "mcp",
    };
  };

  const authenticateClient = (req: IncomingMessage, form: URLSearchParams): Client | undefined => {
    let id = form.get("client_id");
    let secret = form.get("client_secret");
    const basic = req.headers.authorization?.match(/^Basic (.+)$/i)?.[1];
    if (basic) {
      const [u, p] = Buffer.from(basic, "base64").toString().split(":");
      id = decodeURIComponent(u ?? "");
      secret = decodeURIComponent(p ?? "");
    }
    const client = id ? clients.get(id) : undefined;
    if (!client) return undefined;
    if (client.client_secret && client.client_secret !== secret) return undefined;
    return client;
  };

  async function handleToken(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    const client = authenticateClient(req, form);
    if (!client) return json(res, 401, { error: "invalid_client" });
    const grant = form.get("grant_type");
    if (grant === "authorization_code") {
      const code = codes.get(form.get("code") ?? "");
      codes.delete(form.get("code") ?? "");
      const verifier = form.get("code_verifier") ?? "";
      const challenge = createHash("sha256").update(verifier).digest("base64url");
      if (
        !code ||
        code.clientId !== client.client_id ||
        code.redirectUri !== form.get("redirect_uri") ||
        code.challenge !== challenge
      ) {
        return json(res, 400, {
          error: "invalid_grant",
          error_description: "bad code, verifier or redirect",
        });
      }
      stats.codeExchanges++;
      return json(res, 200, issue(client.client_id));
    }
    if (grant === "refresh_token") {
      const old = form.get("refresh_token") ?? "";
      if (refreshTokens.get(old) !== client.client_id) return json(res, 400, { error: "invalid_grant" });
      refreshTokens.delete(old); // rotation: a refresh token works once
      stats.refreshes++;
      return json(res, 200, issue(client.client_id));
    }
    return json(res, 400, { error: "unsupported_grant_type" });
  }

  async function handleMcp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const bearer = req.headers.authorization?.match(/^Bearer (.+)$/i)?.[1];
    const grant = bearer ? accessTokens.get(bearer) : undefined;
    if (!grant || grant.expiresAt <= Date.now()) {
      res.writeHead(401, {
        "www-authenticate": `Bearer error="invalid_token", resource_metadata="${base}${prmPath}"`,
        "content-type": "application/json",
      });
      res.end(JSON.stringify({ error: "invalid_token" }));
      return;
    }
    if (req.method !== "POST") {
      res.writeHead(405, { allow: "POST" }).end();
      return;
    }
    stats.mcpRequests++;
    const server = new McpServer({ name: "fake-protected", version: "1.0.0" });
    server.registerTool("whoami", { description: "Says which OAuth client is calling" }, async () => ({
      content: [{ type: "text", text: `client ${grant.clientId}` }],
    }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, JSON.parse(await readBody(req)));
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", base);
    const path = url.pathname;
    const wellKnown =
      path === "/.well-known/oauth-protected-resource/mcp" ||
      path === "/.well-known/oauth-protected-resource";
    if (opts.resourceMetadataPath ? path === opts.resourceMetadataPath : wellKnown) {
      return json(res, 200, {
        resource: `${base}/mcp`,
        authorization_servers: [base],
        scopes_supported: ["mcp"],
        bearer_methods_supported: ["header"],
      });
    }
    if (path === "/.well-known/oauth-authorization-server") {
      return json(res, 200, {
        issuer: base,
        authorization_endpoint: `${base}/authorize`,
        token_endpoint: `${base}/token`,
        registration_endpoint: `${base}/register`,
        response_types_supported: ["code"],
        grant_types_supported: ["authorization_code", "refresh_token"],
        code_challenge_methods_supported: ["S256"],
        token_endpoint_auth_methods_supported: ["none", "client_secret_post", "client_secret_basic"],
        scopes_supported: ["mcp"],
      });
    }
    if (path === "/register" && req.method === "POST") {
      const body = JSON.parse(await readBody(req)) as { redirect_uris?: unknown };
      if (!Array.isArray(body.redirect_uris) || body.redirect_uris.length === 0) {
        return json(res, 400, { error: "invalid_redirect_uri" });
      }
      const client: Client = { client_id: token("client"), redirect_uris: body.redirect_uris.map(String) };
      clients.set(client.client_id, client);
      stats.registrations++;
      return json(res, 201, {
        ...body,
        client_id: client.client_id,
        client_id_issued_at: Math.floor(Date.now() / 1000),
      });
    }
    if (path === "/authorize" && req.method === "GET") {
      const q = url.searchParams;
      const client = clients.get(q.get("client_id") ?? "");
      const redirectUri = q.get("redirect_uri") ?? "";
      const registered =
        client && (client.redirect_uris.length === 0 || client.redirect_uris.includes(redirectUri));
      if (!registered || q.get("response_type") !== "code" || q.get("code_challenge_method") !== "S256") {
        return json(res, 400, { error: "invalid_request" });
      }
      const resource = q.get("resource");
      if (resource !== null && resource !== `${base}/mcp`) return json(res, 400, { error: "invalid_target" });
      const code = token("code");
      codes.set(code, {
        clientId: client.client_id,
        redirectUri,
        challenge: q.get("code_challenge") ?? "",
        resource,
      });
      stats.authorizations++;
      const back = new URL(redirectUri);
      back.searchParams.set("code", code);
      const state = q.get("state");
      if (state) back.searchParams.set("state", state);
      res.writeHead(302, { location: back.href }).end();
      return;
    }
    if (path === "/token" && req.method === "POST") return handleToken(req, res);
    if (path === "/mcp") return handleMcp(req, res);
    json(res, 404, { error: "not_found" });
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err: Error) => {
      if (!res.headersSent) json(res, 500, { error: "server_error", error_description: err.message });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;

  return {
    url: base,
    mcpUrl: `${base}/mcp`,
    stats,
    mintAccessToken(clientId = "static") {
      const access = token("at");
      accessTokens.set(access, { clientId, expiresAt: Date.now() + ttlS * 1000 });
      return access;
    },
    revokeAccessToken(t) {
      accessTokens.delete(t);
    },
    isRefreshTokenValid(t) {
      return refreshTokens.has(t);
    },
    setAccessTokenTtl(seconds) {
      ttlS = seconds;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/**
 * Plays the browser: asks the authorization endpoint (which approves at once), then follows its
 * redirect to the loopback callback. Returns the callback's response and the URL it was sent to.
 */
export async function followAuthorization(
  authorizationUrl: string,
): Promise<{ callbackUrl: string; page: Response }> {
  const approval = await fetch(authorizationUrl, { redirect: "manual" });
  const location = approval.headers.get("location");
  if (approval.status !== 302 || !location) {
    throw new Error(`authorize answered ${approval.status}: ${await approval.text()}`);
  }
  return { callbackUrl: location, page: await fetch(location) };
}

/** The redirect target the fake would send the browser to, without visiting it. */
export async function approveAuthorization(authorizationUrl: string): Promise<string> {
  const approval = await fetch(authorizationUrl, { redirect: "manual" });
  const location = approval.headers.get("location");
  if (approval.status !== 302 || !location) throw new Error(`authorize answered ${approval.status}`);
  return location;
}
