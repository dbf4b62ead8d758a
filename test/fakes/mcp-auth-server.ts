import { createHash, randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { readBody } from "./read-body.js";

/**
 * A loopback authorization server and protected MCP resource in the variants real servers come in:
 * resource metadata at the root or at the path-suffixed well-known URL (or none, as 2025-03-26
 * servers), authorization-server metadata by RFC 8414 (root or path-suffixed issuer), by OIDC, or
 * none (the default /authorize, /token, /register at the root), GET answered 404 or 405 with no
 * challenge (only POSTs are challenged), a challenge that names the scope, and a tool that needs
 * more scope than the first login gets (403 insufficient_scope). One tool asks the user for input
 * (`elicitation/create` with defaults and enums).
 */
export interface McpAuthServerOptions {
  /** Where the protected-resource metadata lives; "none": nowhere (2025-03-26). Default "path". */
  prm?: "root" | "path" | "none";
  /** Name the metadata URL in WWW-Authenticate. Default true. */
  prmInHeader?: boolean;
  /** How the authorization server publishes metadata. Default "root". */
  asMetadata?: "root" | "path" | "oidc" | "none";
  /** What a GET to the MCP endpoint gets: no challenge, just this status. Default 405. */
  getStatus?: 404 | 405;
  /** `scope` in the 401 challenge. */
  challengeScope?: string;
  scopesSupported?: string[];
  /** Scopes tools/call needs; a token without them gets 403 insufficient_scope naming them all. */
  toolScopes?: string[];
  /** initialize passes without a token; only later requests are challenged. */
  openInitialize?: boolean;
}

export interface McpAuthServer {
  url: string;
  mcpUrl: string;
  stats: {
    gets: number;
    posts: number;
    registrations: number;
    codeExchanges: number;
    /** The scope parameter of each authorization request ("" when omitted). */
    authorizationScopes: string[];
    insufficientScope: number;
    toolCalls: number;
    /** clientInfo of each initialize. */
    clientInfos: Array<{ name: string; version: string }>;
  };
  close(): Promise<void>;
}

const token = (prefix: string) => `${prefix}-${randomBytes(12).toString("hex")}`;

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
  res.end(JSON.stringify(body));
}

/** The MCP server of one session: `whoami` and `configure` (which elicits a form). */
function mcpServer(held: { scopes: string }): McpServer {
  const server = new McpServer({ name: "fake-auth-variants", version: "1.0.0" });
  server.registerTool("whoami", { description: "Says which scopes the caller holds" }, async () => ({
    content: [{ type: "text", text: `scopes: ${held.scopes || "(none)"}` }],
  }));
  server.registerTool(
    "configure",
    { description: "Asks the user for settings, then echoes them" },
    async (extra) => {
      // On the call's own response stream: the client may have no standalone GET stream.
      const answer = await server.server.elicitInput(
        {
          message: "Settings for the report",
          requestedSchema: {
            type: "object",
            properties: {
              title: { type: "string", title: "Title", default: "Weekly" },
              copies: { type: "integer", title: "Copies", default: 2, minimum: 1 },
              format: { type: "string", title: "Format", enum: ["pdf", "html", "md"], default: "html" },
              urgent: { type: "boolean", title: "Urgent", default: false },
              note: { type: "string", title: "Note" },
            },
            required: ["title"],
          },
        },
        { relatedRequestId: extra.requestId },
      );
      return {
        content: [
          { type: "text", text: `elicitation ${answer.action}: ${JSON.stringify(answer.content ?? {})}` },
        ],
      };
    },
  );
  return server;
}

export async function startMcpAuthServer(opts: McpAuthServerOptions = {}): Promise<McpAuthServer> {
  const prm = opts.prm ?? "path";
  const asMetadata = opts.asMetadata ?? "root";
  const clients = new Set<string>();
  const codes = new Map<string, { challenge: string; redirectUri: string; scope: string }>();
  const access = new Map<string, string>();
  const sessions = new Map<string, { transport: StreamableHTTPServerTransport; held: { scopes: string } }>();
  const stats: McpAuthServer["stats"] = {
    gets: 0,
    posts: 0,
    registrations: 0,
    codeExchanges: 0,
    authorizationScopes: [],
    insufficientScope: 0,
    toolCalls: 0,
    clientInfos: [],
  };
  let base = "";
  // A path-suffixed issuer (RFC 8414 §3.1) lives under /tenant; the others at the root.
  const issuerPath = asMetadata === "path" ? "/tenant" : "";
  const endpoint = (name: string) => (asMetadata === "none" ? `/${name}` : `${issuerPath}/oauth/${name}`);
  const prmPath =
    prm === "root" ? "/.well-known/oauth-protected-resource" : "/.well-known/oauth-protected-resource/mcp";

  const challenge = (res: ServerResponse, status: 401 | 403, extra: Record<string, string>) => {
    const params = [
      ...Object.entries(extra).map(([k, v]) => `${k}="${v}"`),
      ...(prm !== "none" && opts.prmInHeader !== false ? [`resource_metadata="${base}${prmPath}"`] : []),
    ];
    json(
      res,
      status,
      { error: extra.error ?? "invalid_token" },
      { "www-authenticate": `Bearer ${params.join(", ")}` },
    );
  };

  async function handleMcp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "POST") {
      stats.gets++;
      res.writeHead(opts.getStatus ?? 405, { allow: "POST" }).end();
      return;
    }
    stats.posts++;
    const body = JSON.parse(await readBody(req)) as {
      method?: string;
      params?: { clientInfo?: never; name?: string };
    };
    if (body.method === "initialize" && body.params?.clientInfo)
      stats.clientInfos.push(body.params.clientInfo);
    const bearer = req.headers.authorization?.match(/^Bearer (.+)$/i)?.[1];
    const scopes = bearer ? access.get(bearer) : undefined;
    const open =
      opts.openInitialize && (body.method === "initialize" || body.method?.startsWith("notifications/"));
    if (scopes === undefined && !open) {
      return challenge(res, 401, {
        error: "invalid_token",
        ...(opts.challengeScope ? { scope: opts.challengeScope } : {}),
      });
    }
    if (body.method === "tools/call" && opts.toolScopes) {
      const held = new Set((scopes ?? "").split(" "));
      if (!opts.toolScopes.every((s) => held.has(s))) {
        stats.insufficientScope++;
        return challenge(res, 403, { error: "insufficient_scope", scope: opts.toolScopes.join(" ") });
      }
    }
    if (body.method === "tools/call") stats.toolCalls++;
    // Stateful, so the server knows the client's capabilities (elicitation) after initialize.
    const sid = req.headers["mcp-session-id"];
    let session = typeof sid === "string" ? sessions.get(sid) : undefined;
    if (!session) {
      if (body.method !== "initialize") return json(res, 404, { error: "unknown session" });
      const held = { scopes: "" };
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: randomUUID,
        onsessioninitialized: (id) => {
          if (session) sessions.set(id, session);
        },
      });
      session = { transport, held };
      await mcpServer(held).connect(transport);
    }
    session.held.scopes = scopes ?? "";
    await session.transport.handleRequest(req, res, body);
  }

  function asMetadataBody() {
    return {
      issuer: `${base}${issuerPath}`,
      authorization_endpoint: `${base}${endpoint("authorize")}`,
      token_endpoint: `${base}${endpoint("token")}`,
      registration_endpoint: `${base}${endpoint("register")}`,
      response_types_supported: ["code"],
      grant_types_supported: ["authorization_code", "refresh_token"],
      code_challenge_methods_supported: ["S256"],
      token_endpoint_auth_methods_supported: ["none"],
      ...(asMetadata === "oidc"
        ? {
            jwks_uri: `${base}/jwks`,
            subject_types_supported: ["public"],
            id_token_signing_alg_values_supported: ["RS256"],
          }
        : {}),
    };
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", base);
    const path = url.pathname;
    if (prm !== "none" && path === prmPath) {
      return json(res, 200, {
        resource: `${base}/mcp`,
        authorization_servers: [`${base}${issuerPath}`],
        ...(opts.scopesSupported ? { scopes_supported: opts.scopesSupported } : {}),
      });
    }
    const rfc8414 = `/.well-known/oauth-authorization-server${issuerPath}`;
    if ((asMetadata === "root" || asMetadata === "path") && path === rfc8414)
      return json(res, 200, asMetadataBody());
    if (asMetadata === "oidc" && path === "/.well-known/openid-configuration")
      return json(res, 200, asMetadataBody());
    if (path === endpoint("register") && req.method === "POST") {
      const body = JSON.parse(await readBody(req)) as Record<string, unknown>;
      const id = token("client");
      clients.add(id);
      stats.registrations++;
      return json(res, 201, { ...body, client_id: id, client_id_issued_at: Math.floor(Date.now() / 1000) });
    }
    if (path === endpoint("authorize") && req.method === "GET") {
      const q = url.searchParams;
      if (!clients.has(q.get("client_id") ?? "") || q.get("code_challenge_method") !== "S256") {
        return json(res, 400, { error: "invalid_request" });
      }
      stats.authorizationScopes.push(q.get("scope") ?? "");
      const code = token("code");
      const redirectUri = q.get("redirect_uri") ?? "";
      codes.set(code, { challenge: q.get("code_challenge") ?? "", redirectUri, scope: q.get("scope") ?? "" });
      const back = new URL(redirectUri);
      back.searchParams.set("code", code);
      back.searchParams.set("state", q.get("state") ?? "");
      res.writeHead(302, { location: back.href }).end();
      return;
    }
    if (path === endpoint("token") && req.method === "POST") {
      const form = new URLSearchParams(await readBody(req));
      const code = codes.get(form.get("code") ?? "");
      codes.delete(form.get("code") ?? "");
      const verified = createHash("sha256")
        .update(form.get("code_verifier") ?? "")
        .digest("base64url");
      if (!code || code.challenge !== verified || code.redirectUri !== form.get("redirect_uri")) {
        return json(res, 400, { error: "invalid_grant" });
      }
      stats.codeExchanges++;
      const at = token("at");
      access.set(at, code.scope);
      // No `scope` in the answer: the granted scope is the requested one (RFC 6749 §5.1).
      return json(res, 200, { access_token: at, token_type: "Bearer", expires_in: 3600 });
    }
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
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sessions.values()) void s.transport.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
