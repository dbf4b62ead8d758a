import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import * as z from "zod";
import { readBody } from "./read-body.js";

/**
 * Slack for a user token, on 127.0.0.1: the v2_user authorize page (a 302 back to the redirect),
 * oauth.v2.user.access (PKCE checked), oauth.v2.access with single-use rotating refresh tokens,
 * auth.revoke, auth.test, the Web API methods `mcp serve slack` calls, and a streamable-HTTP MCP
 * endpoint at /mcp that accepts only the current access token (401 for a stale or revoked one).
 */

export interface SlackCallRecord {
  method: string;
  params: Record<string, string>;
  token?: string;
}

export interface FakeSlackOAuthOptions {
  clientId?: string;
  clientSecret?: string;
  teamId?: string;
  teamName?: string;
  userId?: string;
  /** Seconds a token lives (Slack: 43200). */
  expiresIn?: number;
  /** Where oauth.v2.user.access puts the tokens. */
  shape?: "authed_user" | "top";
  /** Methods answered `missing_scope` with this scope as `needed`. */
  missingScope?: Record<string, string>;
}

export interface FakeSlackOAuth {
  /** Base of the authorize page: /oauth/v2_user/authorize. */
  readonly authorizeUrl: string;
  /** The Web API base, ending in /api/. */
  readonly apiUrl: string;
  /** The MCP endpoint. */
  readonly mcpUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly calls: SlackCallRecord[];
  /** Query strings the authorize page saw. */
  readonly authorizeRequests: URLSearchParams[];
  /** The bearer of every MCP request, in order. */
  readonly mcpBearers: string[];
  /** The access token the fake accepts now. */
  currentAccessToken(): string | undefined;
  currentRefreshToken(): string | undefined;
  /** A grant as a finished login would hold it (the fake accepts its tokens from now on). */
  issueGrant(): { access_token: string; refresh_token: string; user_id: string; team_id: string };
  /** The next authorize visit is refused (error=access_denied). */
  denyNext(): void;
  /** Every token stops working (as after a workspace admin revokes the app). */
  revokeAll(): void;
  close(): Promise<void>;
}

interface Pending {
  redirectUri: string;
  challenge: string | undefined;
}

function json(res: ServerResponse, body: unknown, status = 200) {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

const channelMessages = [
  { type: "message", user: "U0ALICE", text: "deploy is green", ts: "1700000001.000100", reply_count: 1 },
  { type: "message", user: "U0BOB", text: "shipping at noon", ts: "1700000000.000100" },
];
const users = [
  { id: "U0ALICE", name: "alice", real_name: "Alice A", profile: { email: "alice@example.com" } },
  { id: "U0BOB", name: "bob", real_name: "Bob B", profile: { email: "bob@example.com" } },
];

export async function startFakeSlackOAuth(opts: FakeSlackOAuthOptions = {}): Promise<FakeSlackOAuth> {
  const clientId = opts.clientId ?? "1111.2222";
  const clientSecret = opts.clientSecret ?? "fake-client-secret-abc";
  const teamId = opts.teamId ?? "T0FAKE";
  const teamName = opts.teamName ?? "Fake Co";
  const userId = opts.userId ?? "U0ME";
  const expiresIn = opts.expiresIn ?? 43_200;
  const calls: SlackCallRecord[] = [];
  const authorizeRequests: URLSearchParams[] = [];
  const mcpBearers: string[] = [];
  const pending = new Map<string, Pending>();
  let access: string | undefined;
  let refresh: string | undefined;
  let serial = 0;
  let deny = false;
  let base = "";

  const grant = () => {
    serial += 1;
    access = `xoxe.xoxp-1-fake-access-${serial}`;
    refresh = `xoxe-1-fake-refresh-${serial}`;
    return { access_token: access, refresh_token: refresh, expires_in: expiresIn, token_type: "user" };
  };
  const scopes = "search:read.public,channels:history,chat:write,users:read,im:write";

  function clientOk(p: Record<string, string>) {
    return p.client_id === clientId && p.client_secret === clientSecret;
  }

  function api(
    method: string,
    p: Record<string, string>,
    token: string | undefined,
  ): Record<string, unknown> {
    switch (method) {
      case "oauth.v2.user.access": {
        if (!clientOk(p)) return { ok: false, error: "invalid_client_id" };
        const code = pending.get(p.code ?? "");
        pending.delete(p.code ?? "");
        if (!code) return { ok: false, error: "invalid_code" };
        if (code.redirectUri !== p.redirect_uri) return { ok: false, error: "bad_redirect_uri" };
        const digest = createHash("sha256")
          .update(p.code_verifier ?? "")
          .digest("base64url");
        if (code.challenge && digest !== code.challenge) return { ok: false, error: "invalid_code_verifier" };
        const t = grant();
        const team = { id: teamId, name: teamName };
        return opts.shape === "top"
          ? { ok: true, ...t, scope: scopes, user_id: userId, team }
          : { ok: true, app_id: "A0FAKE", team, authed_user: { id: userId, scope: scopes, ...t } };
      }
      case "oauth.v2.access": {
        if (!clientOk(p)) return { ok: false, error: "invalid_client_id" };
        if (p.grant_type !== "refresh_token") return { ok: false, error: "invalid_grant_type" };
        if (!refresh || p.refresh_token !== refresh) return { ok: false, error: "invalid_refresh_token" };
        return { ok: true, ...grant(), scope: scopes, team: { id: teamId, name: teamName } };
      }
      default:
        break;
    }
    if (!token || token !== access) return { ok: false, error: "invalid_auth" };
    const needed = opts.missingScope?.[method];
    if (needed) return { ok: false, error: "missing_scope", needed, provided: scopes };
    switch (method) {
      case "auth.revoke":
        access = undefined;
        refresh = undefined;
        return { ok: true, revoked: true };
      case "auth.test":
        return {
          ok: true,
          url: "https://fake.slack.com/",
          team: teamName,
          user: "me",
          team_id: teamId,
          user_id: userId,
        };
      case "conversations.history":
        return { ok: true, messages: channelMessages, has_more: false };
      case "conversations.replies":
        return {
          ok: true,
          messages: [
            channelMessages[0],
            { type: "message", user: "U0BOB", text: "nice", ts: "1700000002.000100", thread_ts: p.ts },
          ],
        };
      case "search.messages":
        return {
          ok: true,
          query: p.query,
          messages: {
            total: 1,
            matches: [
              {
                ...channelMessages[0],
                channel: { id: "C0GEN", name: "general" },
                permalink: "https://fake.slack.com/archives/C0GEN/p1700000001000100",
              },
            ],
          },
        };
      case "search.files":
        return { ok: true, query: p.query, files: { total: 0, matches: [] } };
      case "users.list":
        return { ok: true, members: users, response_metadata: { next_cursor: "" } };
      case "users.info": {
        const user = users.find((u) => u.id === p.user);
        return user ? { ok: true, user } : { ok: false, error: "user_not_found" };
      }
      case "users.lookupByEmail": {
        const user = users.find((u) => u.profile.email === p.email);
        return user ? { ok: true, user } : { ok: false, error: "users_not_found" };
      }
      case "chat.getPermalink":
        return {
          ok: true,
          channel: p.channel,
          permalink: `https://fake.slack.com/archives/${p.channel}/p${(p.message_ts ?? "").replace(".", "")}`,
        };
      case "chat.postMessage":
        return {
          ok: true,
          channel: p.channel,
          ts: "1700000009.000100",
          message: { type: "message", user: userId, text: p.text, ts: "1700000009.000100" },
        };
      case "conversations.open":
        return { ok: true, channel: { id: `D0${(p.users ?? "").replace(/,/g, "")}` } };
      default:
        return { ok: false, error: "unknown_method" };
    }
  }

  async function mcp(req: IncomingMessage, res: ServerResponse) {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    mcpBearers.push(bearer ?? "");
    if (!bearer || bearer !== access) {
      res
        .writeHead(401, {
          "www-authenticate": 'Bearer error="invalid_token"',
          "content-type": "application/json",
        })
        .end(JSON.stringify({ error: "invalid_token" }));
      return;
    }
    const server = new McpServer({ name: "fake-slack-mcp", version: "1" });
    server.registerTool(
      "slack_read_channel",
      { description: "Read a Slack channel's recent messages", inputSchema: { channel_id: z.string() } },
      async ({ channel_id }) => ({
        content: [{ type: "text", text: `${channel_id}: ${channelMessages.map((m) => m.text).join(" | ")}` }],
      }),
    );
    server.registerTool(
      "slack_search_public",
      { description: "Search public Slack messages", inputSchema: { query: z.string() } },
      async ({ query }) => ({ content: [{ type: "text", text: `no results for ${query}` }] }),
    );
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    const text = req.method === "POST" ? await readBody(req) : "";
    await transport.handleRequest(req, res, text ? JSON.parse(text) : undefined);
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname === "/oauth/v2_user/authorize") {
      authorizeRequests.push(url.searchParams);
      const redirect = new URL(url.searchParams.get("redirect_uri") ?? "");
      redirect.searchParams.set("state", url.searchParams.get("state") ?? "");
      if (deny || url.searchParams.get("client_id") !== clientId) {
        deny = false;
        redirect.searchParams.set("error", "access_denied");
      } else {
        const code = `code-${serial}-${Math.random().toString(36).slice(2)}`;
        pending.set(code, {
          redirectUri: url.searchParams.get("redirect_uri") ?? "",
          challenge: url.searchParams.get("code_challenge") ?? undefined,
        });
        redirect.searchParams.set("code", code);
      }
      res.writeHead(302, { location: redirect.href }).end();
      return;
    }
    if (url.pathname === "/mcp") return mcp(req, res);
    const m = /^\/api\/([\w.]+)$/.exec(url.pathname);
    if (!m?.[1]) return json(res, { ok: false, error: "unknown_method" }, 404);
    const body = await readBody(req);
    const type = req.headers["content-type"] ?? "";
    const params: Record<string, string> = type.includes("json")
      ? (JSON.parse(body || "{}") as Record<string, string>)
      : Object.fromEntries(new URLSearchParams(body));
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (basic) {
      const [id, secret] = Buffer.from(basic, "base64").toString("utf8").split(":");
      params.client_id ??= id ?? "";
      params.client_secret ??= secret ?? "";
    }
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? params.token;
    calls.push({ method: m[1], params, ...(token ? { token } : {}) });
    json(res, api(m[1], params, token));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  base = `http://127.0.0.1:${port}`;
  return {
    authorizeUrl: `${base}/oauth/v2_user/authorize`,
    apiUrl: `${base}/api/`,
    mcpUrl: `${base}/mcp`,
    clientId,
    clientSecret,
    calls,
    authorizeRequests,
    mcpBearers,
    currentAccessToken: () => access,
    currentRefreshToken: () => refresh,
    issueGrant() {
      const t = grant();
      return {
        access_token: t.access_token,
        refresh_token: t.refresh_token,
        user_id: userId,
        team_id: teamId,
      };
    },
    denyNext() {
      deny = true;
    },
    revokeAll() {
      access = undefined;
      refresh = undefined;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
