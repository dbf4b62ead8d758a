import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeLlm, startFakeOpenAI } from "../fakes/openai-server.js";
import { cleanEnv, runCli, tempHome } from "../helpers/cli.js";

// Plain strings: no token shape, so only kavilo's list of secret paths can hide them.
const S = {
  extraHeader: "plainExtraHeaderValue01",
  mcpHeader: "plainMcpHeaderValue02",
  urlPath: "pathSegment0123456789xyz",
  urlQuery: "plainQueryValue03",
  env: "plainMcpEnvValue04",
  argNext: "plainArgAfterFlag05",
  argInline: "plainArgInline06",
} as const;

let llm: FakeLlm | undefined;
afterEach(async () => {
  await llm?.close();
  llm = undefined;
});

function writeConfig(home: string, config: unknown): string {
  const dir = join(home, ".kavilo");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  return dir;
}

describe("kavilo config get", () => {
  it("masks every value the self server treats as secret, unless --reveal", async () => {
    const home = tempHome("kavilo-cfg-get-");
    writeConfig(home, {
      providers: { custom: { apiBase: "http://127.0.0.1:9/v1", extraHeaders: { "X-Team": S.extraHeader } } },
      tools: {
        mcpServers: {
          local: {
            command: "srv",
            args: ["--api-key", S.argNext, `--client-secret=${S.argInline}`, "ordinary"],
            env: { SERVICE_PART: S.env },
          },
          zap: { url: `https://z.example/api/s/${S.urlPath}/mcp?key=${S.urlQuery}` },
          docs: { url: "https://d.example/mcp", headers: { "X-Custom": S.mcpHeader } },
        },
      },
    });
    const env = cleanEnv(home);
    for (const key of [
      [],
      ["tools"],
      ["tools.mcpServers.local.env"],
      ["providers.custom.extraHeaders.X-Team"],
    ]) {
      const r = await runCli(["config", "get", ...key], { env });
      expect(r.code, r.stderr).toBe(0);
      for (const s of Object.values(S)) expect(r.stdout, `config get ${key.join("")}`).not.toContain(s);
      expect(r.stdout).toContain("[REDACTED]");
    }
    const whole = (await runCli(["config", "get"], { env })).stdout;
    expect(whole).toContain("ordinary");
    expect(whole).toContain("https://d.example/mcp");
    const revealed = await runCli(["config", "get", "--reveal"], { env });
    for (const s of Object.values(S)) expect(revealed.stdout).toContain(s);
  });
});

/** A clean env whose model is the fake one. */
function fakeModelEnv(home: string, fake: FakeLlm): NodeJS.ProcessEnv {
  return cleanEnv(home, {
    KAVILO_PROVIDER: "openai",
    KAVILO_API_BASE: fake.url,
    KAVILO_API_KEY: "k",
    KAVILO_MODEL: "m",
  });
}

describe("kavilo agent -m", () => {
  it("masks an MCP child's stderr, scrubs the shell's env by default, and keeps the profile private", async () => {
    llm = await startFakeOpenAI({
      steps: [
        { toolCalls: [{ id: "call_env", name: "shell", args: { command: "env | sort" } }] },
        { text: "done" },
      ],
    });
    const home = tempHome("kavilo-agent-secrets-");
    const server = join(home, "noisy-server.mjs");
    // Prints what it was given, like a server that logs its settings, then dies.
    writeFileSync(
      server,
      'process.stderr.write("starting with " + process.env.SERVICE_PART + " " + process.argv.slice(2).join(" ") + "\\n"); process.exit(1);\n',
    );
    const dir = writeConfig(home, {
      tools: {
        mcpServers: {
          noisy: {
            command: process.execPath,
            args: [server, "--api-key", S.argNext],
            env: { SERVICE_PART: S.env },
          },
        },
      },
    });
    const env = cleanEnv(home, {
      KAVILO_PROVIDER: "openai",
      KAVILO_API_BASE: llm.url,
      KAVILO_API_KEY: "k",
      KAVILO_MODEL: "m",
      GITHUB_TOKEN: "ghTokenPlainValue",
      AWS_SESSION_TOKEN: "awsSessionPlainValue",
      SLACK_BOT_TOKEN: "slackBotPlainValue",
      DB_PASSWORD: "dbPasswordPlainValue",
      HARMLESS_SETTING: "visible-value",
    });
    const r = await runCli(["--debug", "agent", "-m", "show env"], { env, timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/noisy/);
    expect(r.stderr).toContain("starting with [REDACTED]");
    for (const s of [S.env, S.argNext]) expect(r.stderr).not.toContain(s);

    const toolResult = JSON.stringify(llm.requests[1]?.body);
    expect(toolResult).toContain("HARMLESS_SETTING=visible-value");
    for (const gone of [
      "GITHUB_TOKEN",
      "AWS_SESSION_TOKEN",
      "SLACK_BOT_TOKEN",
      "DB_PASSWORD",
      "KAVILO_API_KEY",
    ]) {
      expect(toolResult).not.toContain(`${gone}=`);
    }

    // The profile home and its folders 0700, session and usage files 0600.
    const mode = (p: string) => statSync(p).mode & 0o777;
    const sessions = join(dir, "workspace", "sessions");
    const usage = join(dir, "usage");
    for (const folder of [join(dir, "workspace"), sessions, usage]) expect(mode(folder), folder).toBe(0o700);
    const files = [
      ...readdirSync(sessions).map((f) => join(sessions, f)),
      ...readdirSync(usage).map((f) => join(usage, f)),
    ];
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const file of files) expect(mode(file), file).toBe(0o600);
  }, 40_000);

  it("tools.exec.scrubEnvKeep lets a named variable through; scrubEnv false turns scrubbing off", async () => {
    for (const [exec, present, absent] of [
      [{ scrubEnvKeep: ["GITHUB_TOKEN"] }, ["GITHUB_TOKEN=ghTokenPlainValue"], ["DB_PASSWORD="]],
      [{ scrubEnv: false }, ["GITHUB_TOKEN=ghTokenPlainValue", "DB_PASSWORD=dbPasswordPlainValue"], []],
    ] as const) {
      llm = await startFakeOpenAI({
        steps: [{ toolCalls: [{ id: "c", name: "shell", args: { command: "env" } }] }, { text: "ok" }],
      });
      const home = tempHome("kavilo-scrub-keep-");
      writeConfig(home, { tools: { exec } });
      const env = cleanEnv(home, {
        KAVILO_PROVIDER: "openai",
        KAVILO_API_BASE: llm.url,
        KAVILO_API_KEY: "k",
        KAVILO_MODEL: "m",
        GITHUB_TOKEN: "ghTokenPlainValue",
        DB_PASSWORD: "dbPasswordPlainValue",
      });
      const r = await runCli(["agent", "-m", "env"], { env, timeoutMs: 30_000 });
      expect(r.code, r.stderr).toBe(0);
      const toolResult = JSON.stringify(llm.requests[1]?.body);
      for (const p of present) expect(toolResult).toContain(p);
      for (const a of absent) expect(toolResult).not.toContain(a);
      await llm.close();
      llm = undefined;
    }
  }, 40_000);

  it("creates a fresh profile home 0700", async () => {
    llm = await startFakeOpenAI({ steps: [{ text: "hello" }] });
    const home = tempHome("kavilo-fresh-home-");
    const env = fakeModelEnv(home, llm);
    const r = await runCli(["agent", "-m", "hi"], { env, timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    for (const folder of [".kavilo", ".kavilo/workspace", ".kavilo/workspace/sessions", ".kavilo/usage"]) {
      expect(statSync(join(home, folder)).mode & 0o777, folder).toBe(0o700);
    }
    // Whichever command makes the profile first: config set (its lock), a new profile.
    const other = tempHome("kavilo-fresh-set-");
    const set = await runCli(["config", "set", "agents.defaults.model", "m"], { env: cleanEnv(other) });
    expect(set.code, set.stderr).toBe(0);
    expect(statSync(join(other, ".kavilo")).mode & 0o777).toBe(0o700);
    expect(statSync(join(other, ".kavilo", "config.json")).mode & 0o777).toBe(0o600);
  }, 40_000);

  it("makes an existing profile's own folders private, not a workspace you named", async () => {
    llm = await startFakeOpenAI({ steps: [{ text: "hello" }] });
    const home = tempHome("kavilo-old-home-");
    const mine = join(home, "projects");
    const dir = writeConfig(home, { agents: { defaults: { workspace: mine } } });
    const own = [dir, join(mine, "sessions"), join(dir, "usage"), join(dir, "logs")];
    for (const folder of [...own, mine]) {
      mkdirSync(folder, { recursive: true });
      chmodSync(folder, 0o755);
    }
    const env = fakeModelEnv(home, llm);
    const r = await runCli(["agent", "-m", "hi"], { env, timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    for (const folder of own) expect(statSync(folder).mode & 0o777, folder).toBe(0o700);
    expect(statSync(mine).mode & 0o777).toBe(0o755);
  }, 40_000);
});
