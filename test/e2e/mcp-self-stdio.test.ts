import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PassThrough } from "node:stream";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMcpTokenFile } from "../../src/auth/mcp/token-file.js";
import type { Paths } from "../../src/core/base/paths.js";
import { SessionStore } from "../../src/core/session/session-store.js";
import { approveAuthorization, type FakeOAuthServer, startFakeOAuthServer } from "../fakes/oauth-server.js";
import { BIN, cleanEnv, ROOT, runCli, tempHome } from "../helpers/cli.js";
import { SECRETS, SESSION_KEY, SESSION_MESSAGES, writeFixtureHome } from "../integration/mcp-self-home.js";

const pkgVersion = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string })
  .version;

let fake: FakeOAuthServer;
let paths: Paths;
let userHome: string;
let client: Client;
const stderr: string[] = [];
const protocolErrors: Error[] = [];
/** Secrets that only ever appear inside text: a shell result quoting config.json, a pasted URL. */
const IN_TEXT = {
  gemini: "AIzaSyD4ex4mpleGeminiKeyValue0123456789",
  brave: "BSAq7Rk2mZexampleBraveKey0123456789",
  basicAuth: "dXNlcjpodW50ZXIy",
  envLine: "envLineSecretValue-31415",
  zapierPath: "NjQ4ZjYyYzEtZTQ2Mi00YzAxLWE5",
} as const;
const SHELL_SESSION = "cli:shell";

/** Every text that came back from the server, for the secret scan. */
const responses: string[] = [];

async function call(name: string, args: Record<string, unknown> = {}) {
  const result = await client.callTool({ name, arguments: args });
  const text = (result.content as Array<{ text: string }>).map((p) => p.text).join("");
  responses.push(text);
  return { text, isError: result.isError === true };
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, "dist/cli/main.js"))) throw new Error("run npm run build before the e2e tests");
  fake = await startFakeOAuthServer();
  userHome = tempHome("kavilo-mcp-self-e2e-");
  paths = await writeFixtureHome(userHome, { oauthMcpUrl: fake.mcpUrl });
  const config = JSON.parse(readFileSync(paths.config, "utf8")) as {
    tools: { mcpServers: Record<string, unknown> };
  };
  config.tools.mcpServers.zap = {
    type: "http",
    url: `https://mcp.zapier.com/api/mcp/s/${IN_TEXT.zapierPath}/mcp`,
  };
  writeFileSync(paths.config, JSON.stringify(config, null, 2), { mode: 0o600 });
  // What `cat config.json` and friends put into a session: secrets as text, not as keyed data.
  const shellOutput = [
    readFileSync(paths.config, "utf8"),
    `GEMINI_KEY_IN_PROSE ${IN_TEXT.gemini}`,
    `brave ${IN_TEXT.brave}`,
    `Authorization: Basic ${IN_TEXT.basicAuth}`,
    `MY_SERVICE_TOKEN=${IN_TEXT.envLine}`,
  ].join("\n");
  await new SessionStore(paths.sessions).append(SHELL_SESSION, [
    { role: "user", content: "show me my config" },
    {
      role: "assistant",
      content: "",
      toolCalls: [{ id: "s1", name: "shell", args: { command: "cat ~/.kavilo/config.json" } }],
    },
    { role: "tool", toolCallId: "s1", toolName: "shell", content: shellOutput },
  ]);
  const env = cleanEnv(userHome, { OPENAI_API_KEY: SECRETS.envOpenai }) as Record<string, string>;
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, "mcp", "serve", "self"],
    env,
    cwd: userHome,
    stderr: "pipe",
  });
  (transport.stderr as PassThrough | null)?.on("data", (d: Buffer) => stderr.push(d.toString()));
  client = new Client({ name: "e2e", version: "1" });
  client.onerror = (err) => protocolErrors.push(err);
  await client.connect(transport);
});

afterAll(async () => {
  await client?.close();
  await fake?.close();
});

describe("kavilo mcp serve self over stdio (SDK client, real child process)", () => {
  it("answers initialize as kavilo and lists its tools", async () => {
    expect(client.getServerVersion()).toMatchObject({ name: "kavilo", version: pkgVersion });
    expect(client.getServerCapabilities()?.tools).toBeDefined();
    const { tools } = await client.listTools();
    responses.push(JSON.stringify(tools));
    expect(tools).toHaveLength(10);
  });

  it("every tool answers against a home full of state, and no secret leaves the process", async () => {
    const status = await call("status");
    expect(status.isError).toBe(false);
    expect(JSON.parse(status.text)).toMatchObject({ home: paths.home, provider: { name: "openai" } });

    expect((await call("list_sessions")).text).toContain(SESSION_KEY);
    const page = JSON.parse((await call("read_session", { key: SESSION_KEY, limit: 100 })).text);
    expect(page).toMatchObject({ total: SESSION_MESSAGES, nextOffset: null });
    expect((await call("read_session", { key: "cli:none" })).isError).toBe(true);
    const shell = await call("read_session", { key: SHELL_SESSION });
    expect(JSON.parse(shell.text)).toMatchObject({ total: 3 });
    expect(shell.text).toContain("Authorization: Basic [REDACTED]");

    expect(JSON.parse((await call("list_channels")).text).channels).toHaveLength(2);
    const servers = JSON.parse((await call("list_mcp_servers")).text).servers as Array<{ alias: string }>;
    expect(servers.map((s) => s.alias)).toEqual(["docs", "local", "ed", "zap"]);
    expect(servers.find((s) => s.alias === "zap")).toMatchObject({
      url: "https://mcp.zapier.com/api/mcp/s/[REDACTED]/mcp",
    });
    expect((await call("list_cron_jobs")).text).toContain("morning brief");
    expect(JSON.parse((await call("usage_summary", { days: 3650 })).text).total.calls).toBe(3);

    const send = await call("send_channel_message", { channel: "telegram", chatId: "4242", text: "hi" });
    expect(send).toMatchObject({
      isError: true,
      text: "kavilo start is not running for this profile; start it to send messages",
    });

    const start = await call("mcp_login_start", { server: "ed" });
    expect(start.isError).toBe(false);
    const callbackUrl = await approveAuthorization(JSON.parse(start.text).authorizationUrl as string);
    const finish = await call("mcp_login_finish", { server: "ed", callbackUrl });
    expect(JSON.parse(finish.text)).toMatchObject({ loggedIn: true, auth: { state: "valid" } });
    const stored = await readMcpTokenFile(paths, "ed");
    expect(stored).toBeDefined();
    responses.push((await call("list_mcp_servers")).text);

    const secrets = [
      ...Object.values(SECRETS),
      ...Object.values(IN_TEXT),
      stored?.tokens.access_token ?? "missing",
      stored?.tokens.refresh_token ?? "missing",
    ];
    const all = responses.join("\n");
    expect(all.length).toBeGreaterThan(2000);
    for (const secret of secrets) expect(all, `secret ${secret} leaked`).not.toContain(secret);
    // The masks are there because something was masked, not because nothing was returned.
    expect(all).toContain("[REDACTED]");
  });

  it("stdout carried the protocol only, and the server logged nothing alarming on stderr", () => {
    expect(protocolErrors).toEqual([]);
    for (const secret of Object.values(SECRETS)) expect(stderr.join("")).not.toContain(secret);
  });
});

describe("kavilo mcp serve, other servers", () => {
  it("slack with no Slack MCP alias logged in: exit 2 with one line", async () => {
    const r = await runCli(["mcp", "serve", "slack"], { env: cleanEnv(tempHome()) });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toEqual([
      "kavilo: no Slack MCP alias is logged in: run kavilo mcp slack login <alias>",
    ]);
  });

  it("an unknown server name exits 2", async () => {
    const r = await runCli(["mcp", "serve", "bogus"], { env: cleanEnv(tempHome()) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown MCP server "bogus": use self or slack');
  });

  it("answers what was sent before stdin closed, then exits 0", async () => {
    const init = {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
    };
    const initialized = { jsonrpc: "2.0", method: "notifications/initialized" };
    // A tool that reads files answers a few event-loop turns after stdin has already ended.
    const listCron = {
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: "list_cron_jobs", arguments: {} },
    };
    const input = `${[init, initialized, listCron].map((m) => JSON.stringify(m)).join("\n")}\n`;
    const home = tempHome();
    await writeFixtureHome(home);
    const r = await runCli(["mcp", "serve", "self"], { env: cleanEnv(home), input });
    expect(r.code).toBe(0);
    const replies = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { id: number; result: { content?: Array<{ text: string }> } });
    expect(replies.map((m) => m.id)).toEqual([1, 2]);
    expect(replies[1]?.result.content?.[0]?.text).toContain("morning brief");
  });
});
