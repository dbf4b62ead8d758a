/**
 * The MCP client's authorization and elicitation with the built CLI: `kavilo mcp login` against each
 * server variant (the test plays the browser), the tool call through `agent -m`, the step-up a 403
 * insufficient_scope asks for, and an MCP server's form in the TUI (tmux) and without a terminal.
 */

import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  type McpAuthServer,
  type McpAuthServerOptions,
  startMcpAuthServer,
} from "../fakes/mcp-auth-server.js";
import { followAuthorization } from "../fakes/oauth-server.js";
import { type FakeLlm, type RecordedRequest, startFakeOpenAI } from "../fakes/openai-server.js";
import { BIN, cleanEnv, runCli, tempHome } from "../helpers/cli.js";
import { tmuxServer } from "../helpers/tmux-pane.js";

let fake: McpAuthServer | undefined;
let llm: FakeLlm | undefined;
const tmux = tmuxServer();
afterEach(async () => {
  await fake?.close();
  await llm?.close();
  fake = undefined;
  llm = undefined;
});
afterAll(() => tmux.close());

function setup(server: McpAuthServer, model: FakeLlm): NodeJS.ProcessEnv {
  const home = tempHome("kavilo-mcp-auth-e2e-");
  mkdirSync(join(home, ".kavilo"), { recursive: true });
  writeFileSync(
    join(home, ".kavilo", "config.json"),
    JSON.stringify({ tools: { mcpServers: { srv: { type: "http", url: server.mcpUrl } } } }),
  );
  return cleanEnv(home, {
    KAVILO_PROVIDER: "openai",
    KAVILO_API_BASE: model.url,
    KAVILO_API_KEY: "test-key",
    KAVILO_MODEL: "m",
  });
}

/** `kavilo mcp login --server srv --no-browser --port 0`, following the printed URL as a browser. */
function login(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [BIN, "mcp", "login", "--server", "srv", "--no-browser", "--port", "0"],
      {
        env,
        cwd: env.HOME,
      },
    );
    let stderr = "";
    let visited = false;
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      const url = stderr.split("\n").find((l) => /^http:\/\/127\.0\.0\.1:\d+\/.*authorize\?/.test(l));
      if (url && !visited && stderr.includes("Waiting for the redirect")) {
        visited = true;
        void followAuthorization(url);
      }
    });
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

/** A model that calls `tool` once, then repeats the tool's result. */
async function modelCalling(tool: string): Promise<FakeLlm> {
  return startFakeOpenAI({
    respond: (req: RecordedRequest) => {
      const messages = (req.body as { messages: Array<{ role: string; content: unknown }> }).messages;
      const last = messages.at(-1);
      if (last?.role !== "tool") return { toolCalls: [{ name: tool, args: {} }] };
      return { text: `tool said: ${JSON.stringify(last.content)}` };
    },
  });
}

function toolResult(model: FakeLlm | undefined): string {
  const req = model?.requests.at(-1)?.body as { messages: Array<{ role: string; content: unknown }> };
  return JSON.stringify(req.messages.filter((m) => m.role === "tool").map((m) => m.content));
}

const VARIANTS: Array<[string, McpAuthServerOptions]> = [
  ["path-suffixed resource metadata, GET 405", { prm: "path", getStatus: 405 }],
  [
    "root resource metadata and a path-suffixed issuer, GET 404",
    { prm: "root", asMetadata: "path", getStatus: 404 },
  ],
  ["OIDC discovery, metadata URL not in the challenge", { prmInHeader: false, asMetadata: "oidc" }],
  ["2025-03-26 server: no metadata, default endpoints", { prm: "none", asMetadata: "none", getStatus: 404 }],
  ["challenge only after initialize", { openInitialize: true }],
];

describe("kavilo mcp login + agent -m against each server variant", () => {
  it.each(VARIANTS)("%s", { timeout: 30_000 }, async (_name, opts) => {
    fake = await startMcpAuthServer({ ...opts, challengeScope: "files:read" });
    llm = await modelCalling("mcp_srv_whoami");
    const env = setup(fake, llm);
    const logged = await login(env);
    expect(logged.stderr).toContain("Logged in to srv");
    expect(logged.code).toBe(0);
    expect(fake.stats.authorizationScopes).toEqual(["files:read"]);
    const r = await runCli(["agent", "-m", "who am i"], { env, timeoutMs: 20_000 });
    expect(r.code).toBe(0);
    expect(toolResult(llm)).toContain("scopes: files:read");
    expect(fake.stats.clientInfos.at(-1)?.name).toBe("kavilo");
    expect(fake.stats.clientInfos.at(-1)?.version).toBe(
      (JSON.parse(readFileSync(join(BIN, "..", "..", "package.json"), "utf8")) as { version: string })
        .version,
    );
  });
});

describe("step-up on 403 insufficient_scope in the TUI", () => {
  it("logs in again in place for the union, then retries the call once", { timeout: 40_000 }, async () => {
    fake = await startMcpAuthServer({ challengeScope: "basic", toolScopes: ["basic", "write"] });
    llm = await modelCalling("mcp_srv_whoami");
    const env = setup(fake, llm);
    expect((await login(env)).code).toBe(0);
    const pane = tmux.open(env, ["agent"]);
    await pane.see("message, /help for commands");
    pane.keys("who am i", "Enter");
    const screen = await pane.see(/Waiting for the redirect on http:\/\/127\.0\.0\.1:\d+/);
    expect(screen).toContain("srv needs more access for this call; log in again to grant it.");
    // The URL is wrapped at the pane's width: the lines between it and "Waiting" are one URL.
    const url = /^(http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?[\s\S]*?)\nWaiting/m.exec(screen)?.[1];
    await followAuthorization((url ?? "").replace(/\s+/g, ""));
    await pane.see('tool said: "scopes: basic write"');
    expect(fake.stats.authorizationScopes).toEqual(["basic", "basic write"]);
    expect(fake.stats.insufficientScope).toBe(1);
    expect(fake.stats.toolCalls).toBe(1);
    // The client registered by the first login is used again (same redirect).
    expect(fake.stats.registrations).toBe(1);
    pane.keys("C-d");
    await pane.see("EXITED:0");
  });
});

describe("step-up on 403 insufficient_scope (no terminal)", () => {
  it("the tool result says to log in; that login asks for the union once; the call then works", {
    timeout: 40_000,
  }, async () => {
    fake = await startMcpAuthServer({ challengeScope: "basic", toolScopes: ["basic", "write"] });
    llm = await modelCalling("mcp_srv_whoami");
    const env = setup(fake, llm);
    expect((await login(env)).code).toBe(0);
    const first = await runCli(["agent", "-m", "who am i"], { env, timeoutMs: 20_000 });
    expect(first.code).toBe(0);
    expect(toolResult(llm)).toContain(
      '(scope \\"basic write\\"); run kavilo mcp login --server srv to grant it',
    );
    expect(fake.stats.insufficientScope).toBe(1);
    expect((await login(env)).code).toBe(0);
    expect(fake.stats.authorizationScopes).toEqual(["basic", "basic write"]);
    await runCli(["agent", "-m", "who am i"], { env, timeoutMs: 20_000 });
    expect(toolResult(llm)).toContain("scopes: basic write");
    expect(fake.stats.insufficientScope).toBe(1);
  });
});

/** The variant server with its form tool, a model that calls it, and a finished login. */
async function loggedInToFormServer(): Promise<NodeJS.ProcessEnv> {
  fake = await startMcpAuthServer({});
  llm = await modelCalling("mcp_srv_configure");
  const env = setup(fake, llm);
  expect((await login(env)).code).toBe(0);
  return env;
}

/** The TUI with the form server's form on screen. */
async function formInTui() {
  const env = await loggedInToFormServer();
  const pane = tmux.open(env, ["agent"]);
  await pane.see("message, /help for commands");
  pane.keys("configure it", "Enter");
  await pane.see("MCP server srv asks: Settings for the report");
  // The key hint shows once the form listens for keys.
  return { pane, form: await pane.see("Esc cancel") };
}

describe("elicitation", () => {
  it("agent -m without a terminal declines and says so; --yes accepts the defaults", {
    timeout: 40_000,
  }, async () => {
    const env = await loggedInToFormServer();
    await runCli(["agent", "-m", "configure it"], { env, timeoutMs: 20_000 });
    expect(toolResult(llm)).toContain("elicitation decline: {}");
    expect(toolResult(llm)).toContain("declined: nobody can answer in this run");
    await runCli(["agent", "-m", "configure it", "--yes"], { env, timeoutMs: 20_000 });
    expect(toolResult(llm)).toContain(
      'elicitation accept: {\\"title\\":\\"Weekly\\",\\"copies\\":2,\\"format\\":\\"html\\",\\"urgent\\":false}',
    );
  });

  it("the TUI shows the form with its defaults; edits and Accept reach the server", {
    timeout: 40_000,
  }, async () => {
    const { pane, form } = await formInTui();
    expect(form).toContain("› Title*: Weekly");
    expect(form).toContain("Copies: 2");
    expect(form).toContain("Format: ‹ html ›");
    expect(form).toContain("Urgent: [ ] no");
    pane.keys("BSpace");
    await pane.see("› Title*: Weekl ");
    // One key per send-keys where ink would read two backspaces in one chunk as one meta key.
    for (let i = 0; i < 5; i++) pane.keys("BSpace");
    pane.keys("Monthly", "Down", "Down", "Right", "Down", "Space");
    await pane.see("Urgent: [x] yes");
    pane.keys("Down", "Down", "Enter");
    await pane.see(/tool said: .*elicitation accept/);
    expect(toolResult(llm)).toContain(
      'elicitation accept: {\\"title\\":\\"Monthly\\",\\"copies\\":2,\\"format\\":\\"md\\",\\"urgent\\":true}',
    );
    pane.keys("C-d");
    await pane.see("EXITED:0");
  });

  it("the TUI: Enter through the untouched form accepts the schema's defaults", {
    timeout: 40_000,
  }, async () => {
    const { pane } = await formInTui();
    // Five fields, then the Accept button: one Enter each, one key per send-keys.
    for (let i = 0; i < 6; i++) pane.keys("Enter");
    await pane.see(/tool said: .*elicitation accept/);
    expect(toolResult(llm)).toContain(
      'elicitation accept: {\\"title\\":\\"Weekly\\",\\"copies\\":2,\\"format\\":\\"html\\",\\"urgent\\":false}',
    );
    pane.keys("C-d");
    await pane.see("EXITED:0");
  });
});
