import { spawn } from "node:child_process";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterEach, describe, expect, it } from "vitest";
import { readSlackToken, writeSlackApp, writeSlackToken } from "../../src/auth/slack-mcp/token-file.js";
import { makePaths, type Paths } from "../../src/core/base/paths.js";
import { startFakeOpenAI } from "../fakes/openai-server.js";
import {
  type FakeSlackOAuth,
  type FakeSlackOAuthOptions,
  startFakeSlackOAuth,
} from "../fakes/slack-oauth-server.js";
import { BIN, cleanEnv, runCli, tempHome } from "../helpers/cli.js";

let slack: FakeSlackOAuth | undefined;
let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  await slack?.close();
  client = undefined;
  slack = undefined;
});

/** A home where `alias` is logged in to the fake, its token expiring in `secs`. */
async function loggedInHome(
  fake: FakeSlackOAuth,
  alias: string,
  secs = 3600,
): Promise<{ home: string; paths: Paths }> {
  const home = tempHome();
  const paths = makePaths(`${home}/.kavilo`);
  const g = fake.issueGrant();
  await writeSlackApp(paths, alias, { client_id: fake.clientId, client_secret: fake.clientSecret });
  await writeSlackToken(paths, alias, {
    access_token: g.access_token,
    refresh_token: g.refresh_token,
    user_id: g.user_id,
    team_id: g.team_id,
    expires_at: new Date(Date.now() + secs * 1000).toISOString(),
  });
  return { home, paths };
}

async function connect(home: string, fake: FakeSlackOAuth, args: string[] = []): Promise<Client> {
  const env = cleanEnv(home, { KAVILO_SLACK_API_URL: fake.apiUrl }) as Record<string, string>;
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, "mcp", "serve", "slack", ...args],
    env,
    cwd: home,
    stderr: "pipe",
  });
  const c = new Client({ name: "test", version: "1" });
  await c.connect(transport);
  return c;
}

type Text = { content: Array<{ type: string; text: string }>; isError?: boolean };
const textOf = (r: unknown) => (r as Text).content[0]?.text ?? "";

async function startFake(opts: FakeSlackOAuthOptions = {}) {
  slack = await startFakeSlackOAuth(opts);
  return slack;
}

describe("kavilo mcp serve slack, driven by an MCP SDK client", () => {
  it("lists the tools, reads a channel and posts as the user", async () => {
    const fake = await startFake();
    const { home } = await loggedInHome(fake, "work");
    client = await connect(home, fake);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(
      [
        "channel_history",
        "get_permalink",
        "list_users",
        "lookup_user",
        "open_dm",
        "post_message",
        "search_files",
        "search_messages",
        "self_dm",
        "thread_replies",
        "whoami",
      ].sort(),
    );
    for (const t of tools) {
      expect(t.description?.length).toBeGreaterThan(10);
      expect(t.inputSchema.type).toBe("object");
    }
    const post = tools.find((t) => t.name === "post_message");
    expect(post?.inputSchema.required).toEqual(["channel", "text"]);
    expect(post?.annotations?.readOnlyHint).toBe(false);

    const history = await client.callTool({
      name: "channel_history",
      arguments: { channel: "C0GEN", limit: 2 },
    });
    expect((history as Text).isError).toBeFalsy();
    const data = JSON.parse(textOf(history)) as { messages: Array<{ text: string; user: string }> };
    expect(data.messages.map((m) => m.text)).toEqual(["deploy is green", "shipping at noon"]);
    const historyCall = fake.calls.find((c) => c.method === "conversations.history");
    expect(historyCall?.params).toMatchObject({ channel: "C0GEN", limit: "2" });
    expect(historyCall?.token).toBe(fake.currentAccessToken());

    const posted = await client.callTool({
      name: "post_message",
      arguments: { channel: "C0GEN", text: "on it", thread_ts: "1700000001.000100" },
    });
    expect(JSON.parse(textOf(posted))).toEqual({ channel: "C0GEN", ts: "1700000009.000100" });
    const postCall = fake.calls.find((c) => c.method === "chat.postMessage");
    expect(postCall?.params).toMatchObject({
      channel: "C0GEN",
      text: "on it",
      thread_ts: "1700000001.000100",
    });
    expect(postCall?.token).toBe(fake.currentAccessToken());

    const byEmail = await client.callTool({ name: "lookup_user", arguments: { email: "bob@example.com" } });
    expect(JSON.parse(textOf(byEmail))).toMatchObject({ id: "U0BOB", email: "bob@example.com" });
    const selfDm = await client.callTool({ name: "self_dm", arguments: { text: "note to self" } });
    expect(JSON.parse(textOf(selfDm))).toEqual({ channel: "D0U0ME", ts: "1700000009.000100" });

    const bad = await client.callTool({
      name: "get_permalink",
      arguments: { channel: "C0GEN", message_ts: "yesterday" },
    });
    expect((bad as Text).isError).toBe(true);
    expect(textOf(bad)).toMatch(/get_permalink: a Slack ts like 1700000000.000100 at message_ts/);
  }, 30_000);

  it("Slack errors come back as tool errors with Slack's code; missing_scope names the scope", async () => {
    const fake = await startFake({ missingScope: { "search.files": "search:read.files" } });
    const { home } = await loggedInHome(fake, "work");
    client = await connect(home, fake);
    const files = await client.callTool({ name: "search_files", arguments: { query: "roadmap" } });
    expect((files as Text).isError).toBe(true);
    expect(textOf(files)).toBe(
      "Slack search.files failed: missing_scope (needs search:read.files); add it to the Slack app's User Token Scopes, then run kavilo mcp slack login work --force",
    );
    const who = await client.callTool({ name: "lookup_user", arguments: { user: "U0NOBODY" } });
    expect(textOf(who)).toBe("Slack users.info failed: user_not_found");
    fake.revokeAll();
    const gone = await client.callTool({ name: "whoami", arguments: {} });
    expect(textOf(gone)).toBe(
      "MCP_AUTH_REQUIRED:server=work; reason=invalid_token; run kavilo mcp slack login work --force",
    );
  }, 30_000);

  it("a token inside the 60 s leeway is refreshed on use, and the rotated one is saved", async () => {
    const fake = await startFake();
    const { home, paths } = await loggedInHome(fake, "work", 20);
    const before = await readSlackToken(paths, "work");
    client = await connect(home, fake, ["--alias", "work"]);
    const who = await client.callTool({ name: "whoami", arguments: {} });
    expect(JSON.parse(textOf(who))).toMatchObject({ user_id: "U0ME", team_id: "T0FAKE" });
    const after = await readSlackToken(paths, "work");
    expect(after?.access_token).not.toBe(before?.access_token);
    expect(fake.calls.find((c) => c.method === "auth.test")?.token).toBe(after?.access_token);
    expect(fake.calls.filter((c) => c.method === "oauth.v2.access")).toHaveLength(1);
  }, 30_000);

  it("stdout carries only the protocol, and a malformed line does not end the session", async () => {
    const fake = await startFake();
    const { home } = await loggedInHome(fake, "work");
    const env = cleanEnv(home, { KAVILO_SLACK_API_URL: fake.apiUrl });
    const child = spawn(process.execPath, [BIN, "mcp", "serve", "slack"], { env, cwd: home });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const send = (m: unknown) => child.stdin.write(`${typeof m === "string" ? m : JSON.stringify(m)}\n`);
    send("this is not json");
    send({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
    });
    send({ jsonrpc: "2.0", method: "notifications/initialized" });
    send({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "whoami", arguments: {} } });
    child.stdin.end();
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    // as for `serve self`: the bad line got an error reply, and the exit code says the input was not all valid
    expect(code).toBe(1);
    const lines = out.trim().split("\n");
    const messages = lines.map(
      (l) =>
        JSON.parse(l) as {
          id?: number;
          error?: { code: number };
          result?: { content?: Array<{ text: string }> };
        },
    );
    expect(messages[0]?.error?.code).toBe(-32700);
    const answer = messages.find((m) => m.id === 2);
    expect(answer?.result?.content?.[0]?.text).toContain('"user_id": "U0ME"');
  }, 30_000);

  it("with no alias, or several and no --alias, says what to do in one line (exit 2)", async () => {
    const fake = await startFake();
    const home = tempHome();
    const env = cleanEnv(home, { KAVILO_SLACK_API_URL: fake.apiUrl });
    const none = await runCli(["mcp", "serve", "slack"], { env });
    expect(none.code).toBe(2);
    expect(none.stderr.trim()).toBe(
      "kavilo: no Slack MCP alias is logged in: run kavilo mcp slack login <alias>",
    );
    const two = await loggedInHome(fake, "a");
    const paths = makePaths(`${two.home}/.kavilo`);
    await writeSlackToken(paths, "b", { access_token: "xoxp-b" });
    const several = await runCli(["mcp", "serve", "slack"], {
      env: cleanEnv(two.home, { KAVILO_SLACK_API_URL: fake.apiUrl }),
    });
    expect(several.code).toBe(2);
    expect(several.stderr.trim()).toBe(
      "kavilo: several Slack MCP aliases are logged in (a, b): pass --alias",
    );
  }, 30_000);
  it("the same tools run in-process for kavilo agent (slack_user_*) when an alias is logged in", async () => {
    const fake = await startFake();
    const { home } = await loggedInHome(fake, "work");
    const llm = await startFakeOpenAI({
      steps: [
        {
          toolCalls: [
            {
              id: "call_post",
              name: "slack_user_post_message",
              args: { channel: "C0GEN", text: "from the agent" },
            },
          ],
        },
        { text: "Posted." },
      ],
    });
    try {
      const env = cleanEnv(home, {
        KAVILO_SLACK_API_URL: fake.apiUrl,
        KAVILO_PROVIDER: "openai",
        KAVILO_API_BASE: llm.url,
        KAVILO_API_KEY: "k",
        KAVILO_MODEL: "m",
      });
      const r = await runCli(["agent", "-m", "tell #general"], { env, timeoutMs: 30_000 });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("Posted.");
      const first = llm.requests[0]!.body as {
        tools: Array<{ function: { name: string; description: string } }>;
      };
      const names = first.tools.map((t) => t.function.name).filter((n) => n.startsWith("slack_user_"));
      expect(names).toHaveLength(11);
      const post = first.tools.find((t) => t.function.name === "slack_user_post_message");
      expect(post?.function.description).toContain('Acts as the user\'s Slack account "work".');
      const call = fake.calls.find((c) => c.method === "chat.postMessage");
      expect(call?.params).toMatchObject({ channel: "C0GEN", text: "from the agent" });
      expect(call?.token).toBe(fake.currentAccessToken());
      expect(JSON.stringify(llm.requests[1]!.body)).toContain("1700000009.000100");
    } finally {
      await llm.close();
    }
  }, 40_000);
});
