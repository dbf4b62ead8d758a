import { writeFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readMcpTokenFile } from "../../src/auth/mcp/token-file.js";
import { selfDepsOf } from "../../src/cli/compose/self-deps.js";
import { createContext } from "../../src/cli/context.js";
import type { Paths } from "../../src/core/base/paths.js";
import type { OutboundMessage } from "../../src/core/bus/types.js";
import { resolveHome } from "../../src/core/home.js";
import { selfToolsAsAgentTools } from "../../src/mcp/servers/self/agent-tools.js";
import type { SelfDeps } from "../../src/mcp/servers/self/self-tool.js";
import { createSelfServer } from "../../src/mcp/servers/self/server.js";
import { approveAuthorization, type FakeOAuthServer, startFakeOAuthServer } from "../fakes/oauth-server.js";
import { cleanEnv, tempHome } from "../helpers/cli.js";
import {
  FIXTURE_NOW,
  SECRETS,
  SESSION_KEY,
  SESSION_MESSAGES,
  TOKEN_EXPIRES_AT,
  writeFixtureHome,
} from "./mcp-self-home.js";

let fake: FakeOAuthServer;
let paths: Paths;
let deps: SelfDeps;
let client: Client;
let sent: OutboundMessage[];

async function connect(d: SelfDeps): Promise<Client> {
  const server = createSelfServer(d, { version: "0.0.0-test" });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const c = new Client({ name: "test", version: "1" });
  await c.connect(clientSide);
  return c;
}

async function call(name: string, args: Record<string, unknown> = {}, c = client) {
  const result = await c.callTool({ name, arguments: args });
  const content = result.content as Array<{ type: string; text: string }>;
  const text = content.map((p) => p.text).join("");
  return { text, isError: result.isError === true, json: () => JSON.parse(text) as Record<string, unknown> };
}

beforeEach(async () => {
  fake = await startFakeOAuthServer();
  const userHome = tempHome("kavilo-mcp-self-");
  paths = await writeFixtureHome(userHome, { oauthMcpUrl: fake.mcpUrl });
  const env = cleanEnv(userHome, { KAVILO_HOME: paths.home, OPENAI_API_KEY: SECRETS.envOpenai });
  const ctx = await createContext(resolveHome({ env, userHome }), env, false);
  sent = [];
  deps = { ...selfDepsOf(ctx), now: () => FIXTURE_NOW };
  client = await connect(deps);
});

afterEach(async () => {
  await client.close();
  await fake.close();
});

describe("kavilo self MCP tools (in process, SDK client)", () => {
  it("lists every tool with a description and an object input schema", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual([
      "status",
      "list_sessions",
      "read_session",
      "list_channels",
      "list_mcp_servers",
      "list_cron_jobs",
      "usage_summary",
      "send_channel_message",
      "mcp_login_start",
      "mcp_login_finish",
    ]);
    for (const t of tools) {
      expect(t.description?.length).toBeGreaterThan(40);
      expect(t.inputSchema.type).toBe("object");
    }
    const read = tools.find((t) => t.name === "read_session");
    expect(read?.inputSchema.required).toEqual(["key"]);
    expect(read?.annotations?.readOnlyHint).toBe(true);
    expect(tools.find((t) => t.name === "send_channel_message")?.annotations?.readOnlyHint).toBe(false);
  });

  it("status matches kavilo status: provider resolved, key presence without values", async () => {
    const r = await call("status");
    expect(r.isError).toBe(false);
    const s = r.json();
    expect(s).toMatchObject({ home: paths.home, config: { valid: true }, provider: { name: "openai" } });
    expect(s.keys).toEqual(
      expect.arrayContaining([expect.objectContaining({ provider: "deepseek", inConfig: true })]),
    );
    expect(r.text).not.toContain(SECRETS.openaiKey);
    expect(r.text).not.toContain(SECRETS.envOpenai);
  });

  it("lists sessions and pages through one, images described, secrets masked", async () => {
    const list = (await call("list_sessions")).json();
    expect(list.sessions).toEqual([
      { key: SESSION_KEY, messages: SESSION_MESSAGES, updatedAt: expect.any(String) },
    ]);
    const page1 = await call("read_session", { key: SESSION_KEY, limit: 3 });
    expect(page1.json()).toMatchObject({
      key: SESSION_KEY,
      total: SESSION_MESSAGES,
      offset: 0,
      nextOffset: 3,
    });
    expect((page1.json().messages as unknown[]).length).toBe(3);
    expect(page1.text).toContain("[REDACTED]");
    expect(page1.text).not.toContain(SECRETS.sessionPasted);
    expect(page1.text).not.toContain(SECRETS.toolArg);
    const page2 = (await call("read_session", { key: SESSION_KEY, offset: 3, limit: 3 })).json();
    expect(page2.nextOffset).toBe(6);
    expect((page2.messages as Array<{ content: unknown }>)[1]?.content).toEqual([
      { type: "image", mediaType: "image/png", bytes: 16 },
    ]);
    const last = (await call("read_session", { key: SESSION_KEY, offset: 6 })).json();
    expect(last).toMatchObject({ nextOffset: null, messages: [{ role: "user", content: "thanks" }] });
  });

  it("a missing session or a bad argument is an error result with one clear line", async () => {
    const missing = await call("read_session", { key: "slack:nope" });
    expect(missing).toMatchObject({
      isError: true,
      text: 'no session "slack:nope": list_sessions shows the existing keys',
    });
    const bad = await call("read_session", { key: SESSION_KEY, limit: 0 });
    expect(bad.isError).toBe(true);
    expect(bad.text).toMatch(/limit/);
  });

  it("lists channels and MCP servers with state but no token, header or env values", async () => {
    const ch = await call("list_channels");
    expect(ch.json().channels).toEqual([
      expect.objectContaining({ name: "telegram", enabled: true, configured: true, allowFromCount: 1 }),
      expect.objectContaining({ name: "slack", enabled: true, configured: true }),
    ]);
    const mcp = await call("list_mcp_servers");
    const servers = mcp.json().servers as Array<Record<string, unknown>>;
    expect(servers.find((s) => s.alias === "docs")).toMatchObject({
      transport: "http",
      url: "https://docs.example.invalid/mcp",
      headerNames: ["Authorization"],
      description: "Company docs",
      auth: { provider: "oauth", state: "valid", expiresAt: TOKEN_EXPIRES_AT },
    });
    expect(servers.find((s) => s.alias === "local")).toMatchObject({
      transport: "stdio",
      command: "local-mcp",
      argCount: 2,
      envNames: ["GITHUB_API_KEY", "LOG_LEVEL"],
      enabledTools: ["search"],
      auth: null,
    });
    expect(servers.find((s) => s.alias === "ed")).toMatchObject({
      auth: { provider: "oauth", state: "missing" },
    });
    for (const secret of Object.values(SECRETS)) expect(ch.text + mcp.text).not.toContain(secret);
  });

  it("an http server with no auth block and no saved login is open, not missing a login", async () => {
    writeFileSync(
      paths.config,
      JSON.stringify({ tools: { mcpServers: { open: { url: "https://open.example/mcp" } } } }),
    );
    const servers = (await call("list_mcp_servers")).json().servers as Array<Record<string, unknown>>;
    expect(servers).toEqual([
      expect.objectContaining({ alias: "open", transport: "http", auth: { provider: null, state: "none" } }),
    ]);
  });

  it("lists cron jobs and usage per day and model, optionally for the last n days", async () => {
    const jobs = (await call("list_cron_jobs")).json().jobs;
    expect(jobs).toEqual([
      expect.objectContaining({
        id: "job1",
        name: "morning brief",
        schedule: 'cron "0 8 * * *" (Europe/Berlin)',
        deliver: { channel: "telegram", chatId: "4242" },
        nextRunAt: "2026-03-11T07:00:00.000Z",
        lastStatus: null,
      }),
    ]);
    const all = (await call("usage_summary")).json();
    expect(all.total).toMatchObject({ calls: 3, input: 350, output: 35 });
    expect((all.days as Array<{ date: string }>).map((d) => d.date)).toEqual(["2026-03-01", "2026-03-10"]);
    const recent = (await call("usage_summary", { days: 2 })).json();
    expect(recent.total).toMatchObject({ calls: 2, input: 250 });
    expect(recent.models).toEqual([
      expect.objectContaining({ provider: "openai", model: "gpt-4o-mini", input: 200 }),
      expect.objectContaining({ provider: "anthropic", model: "claude-x", input: 50 }),
    ]);
  });

  it("send_channel_message says why it cannot send here, and sends through an injected sender", async () => {
    const here = await call("send_channel_message", { channel: "telegram", chatId: "4242", text: "hi" });
    expect(here.isError).toBe(true);
    expect(here.text).toBe("kavilo start is not running for this profile; start it to send messages");
    const unknown = await call("send_channel_message", { channel: "irc", chatId: "1", text: "hi" });
    expect(unknown.isError).toBe(true);
    // The SDK checks the input schema before the tool runs.
    expect(unknown.text).toMatch(/expected one of "telegram"\|"slack"/);

    const withSender = await connect({ ...deps, send: async (m) => void sent.push(m) });
    const ok = await call(
      "send_channel_message",
      { channel: "slack", chatId: "C1", text: "hey", threadId: "1.2" },
      withSender,
    );
    expect(ok.json()).toEqual({ sent: true, channel: "slack", chatId: "C1", threadId: "1.2" });
    expect(sent).toEqual([{ channel: "slack", chatId: "C1", text: "hey", threadId: "1.2" }]);
    await withSender.close();

    writeFileSync(paths.config, JSON.stringify({ channels: { telegram: { enabled: true } } }));
    const unconfigured = await connect({
      ...(await selfDepsOfFreshConfig()),
      send: async (m) => void sent.push(m),
    });
    const r = await call(
      "send_channel_message",
      { channel: "telegram", chatId: "1", text: "x" },
      unconfigured,
    );
    expect(r.text).toBe(
      "channel telegram is not configured: set channels.telegram.enabled and its token in config.json",
    );
    expect(sent).toHaveLength(1);
    await unconfigured.close();
  });

  it("logs in to an OAuth MCP server in two steps and never returns the tokens", async () => {
    const start = await call("mcp_login_start", { server: "ed" });
    expect(start.isError).toBe(false);
    const { authorizationUrl, instructions } = start.json() as {
      authorizationUrl: string;
      instructions: string;
    };
    expect(authorizationUrl.startsWith(`${fake.url}/authorize?`)).toBe(true);
    expect(instructions).toMatch(/mcp_login_finish/);
    const callbackUrl = await approveAuthorization(authorizationUrl);
    const finish = await call("mcp_login_finish", { server: "ed", callbackUrl });
    expect(finish.json()).toMatchObject({ server: "ed", loggedIn: true, auth: { state: "valid" } });
    const stored = await readMcpTokenFile(paths, "ed");
    expect(stored?.tokens.access_token).toMatch(/^at-/);
    const listed = await call("list_mcp_servers");
    expect(listed.text).toContain('"state": "valid"');
    for (const t of [stored?.tokens.access_token, stored?.tokens.refresh_token]) {
      expect(t).toBeTruthy();
      expect(start.text + finish.text + listed.text).not.toContain(t);
    }
  });

  it("login errors are one line: unknown alias, stdio server, missing code, no login in progress", async () => {
    expect((await call("mcp_login_start", { server: "nope" })).text).toBe(
      'no MCP server "nope" in tools.mcpServers (configured: docs, local, ed)',
    );
    expect((await call("mcp_login_start", { server: "local" })).text).toMatch(/stdio server/);
    expect((await call("mcp_login_finish", { server: "ed" })).text).toBe(
      "pass callbackUrl, or both code and state from it",
    );
    const r = await call("mcp_login_finish", { server: "ed", code: "c", state: "s" });
    expect(r).toMatchObject({
      isError: true,
      text: "login to ed failed: no login in progress for ed; start one first",
    });
  });

  it("a broken config.json is an error result naming the file, not a crash", async () => {
    writeFileSync(paths.config, "{ not json");
    const fresh = await connect(await selfDepsOfFreshConfig());
    const r = await call("list_channels", {}, fresh);
    expect(r.isError).toBe(true);
    expect(r.text).toContain(paths.config);
    expect((await call("status", {}, fresh)).json()).toMatchObject({ config: { valid: false } });
    await fresh.close();
  });
});

describe("selfToolsAsAgentTools", () => {
  it("offers the same tools under kavilo_ names, redacted, with errors as error results", async () => {
    const tools = selfToolsAsAgentTools(deps, { exclude: ["mcp_login_start", "mcp_login_finish"] });
    expect(tools.map((t) => t.name)).toContain("kavilo_list_sessions");
    expect(tools.map((t) => t.name)).not.toContain("kavilo_mcp_login_start");
    const ctx = {
      workspace: paths.workspace,
      restrictToWorkspace: true,
      signal: new AbortController().signal,
      sessionKey: "t",
    };
    const read = tools.find((t) => t.name === "kavilo_read_session");
    const page = await read?.run({ key: SESSION_KEY, offset: 0, limit: 1 }, ctx);
    expect(page).toMatchObject({ content: expect.stringContaining("[REDACTED]") });
    expect(JSON.stringify(page)).not.toContain(SECRETS.sessionPasted);
    const send = tools.find((t) => t.name === "kavilo_send_channel_message");
    expect(send?.capabilities).toEqual({ readOnly: false, sideEffect: true });
    expect(await send?.run({ channel: "slack", chatId: "C1", text: "x" }, ctx)).toMatchObject({
      isError: true,
      content: "kavilo start is not running for this profile; start it to send messages",
    });
  });

  it("from a chat, only that chat's own session is readable and logins are refused", async () => {
    const tools = selfToolsAsAgentTools(deps);
    const tool = (name: string) => tools.find((t) => t.name === `kavilo_${name}`)!;
    const chat = {
      workspace: paths.workspace,
      restrictToWorkspace: true,
      signal: new AbortController().signal,
      sessionKey: "telegram:99",
      origin: { channel: "telegram", chatId: "99" },
    };
    const other = await tool("read_session").run({ key: SESSION_KEY, offset: 0, limit: 1 }, chat);
    expect(other).toMatchObject({ isError: true });
    expect(JSON.stringify(other)).not.toContain(SECRETS.sessionPasted);
    expect(await tool("list_sessions").run({}, chat)).toMatchObject({ isError: true });
    expect(await tool("mcp_login_start").run({ server: "remote" }, chat)).toMatchObject({ isError: true });
    const own = await tool("read_session").run({ key: "telegram:99", offset: 0, limit: 1 }, chat);
    expect(JSON.stringify(own)).not.toMatch(/only this conversation/);
  });
});

/** Deps over a new context, so a config.json rewritten by the test is read again. */
async function selfDepsOfFreshConfig(): Promise<SelfDeps> {
  const env = cleanEnv(paths.home, { KAVILO_HOME: paths.home });
  return selfDepsOf(await createContext(resolveHome({ env }), env, false));
}
