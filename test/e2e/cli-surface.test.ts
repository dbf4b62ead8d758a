import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { freePort, startMcpWeb } from "../fakes/mcp-web.js";
import { cleanEnv, ROOT, runCli, tempHome } from "../helpers/cli.js";

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };

beforeAll(() => {
  if (!existsSync(join(ROOT, "dist/cli/main.js"))) throw new Error("run npm run build before the e2e tests");
});

describe("kavilo CLI surface", () => {
  it("--version, -V and version print the package version", async () => {
    const env = cleanEnv(tempHome());
    for (const args of [["--version"], ["-V"], ["version"]]) {
      const r = await runCli(args, { env });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(pkg.version);
    }
  });

  it("--help lists every subcommand", async () => {
    const r = await runCli(["--help"], { env: cleanEnv(tempHome()) });
    expect(r.code).toBe(0);
    for (const cmd of [
      "agent",
      "start",
      "onboard",
      "profile|instance",
      "auth",
      "mcp",
      "config",
      "status",
      "version",
    ]) {
      expect(r.stdout).toContain(cmd);
    }
  });

  it("the fast --help path prints exactly what the program prints", async () => {
    const env = cleanEnv(tempHome(), { COLUMNS: "80" });
    const fast = await runCli(["--help"], { env });
    const real = await runCli(["help"], { env });
    expect(fast.stdout).toBe(real.stdout);
  });

  it("a subcommand that has not landed exits 2 with one line", async () => {
    const r = await runCli(["auth", "claude", "status"], { env: cleanEnv(tempHome()) });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/not available yet/);
  });

  it("agent -m with no key and no Ollama prints one line on how to fix it", async () => {
    const r = await runCli(["agent", "-m", "hello"], { env: cleanEnv(tempHome()) });
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/ANTHROPIC_API_KEY|OPENAI_API_KEY/);
    expect(lines[0]).toMatch(/ollama/i);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });
});

describe("onboard", () => {
  it("creates config and templates, and never overwrites an edited file", async () => {
    const home = tempHome();
    const env = cleanEnv(home);
    const first = await runCli(["onboard"], { env });
    expect(first.code).toBe(0);
    const k = join(home, ".kavilo");
    for (const f of [
      "config.json",
      "workspace/AGENTS.md",
      "workspace/SOUL.md",
      "workspace/USER.md",
      "workspace/MEMORY.md",
      "workspace/HEARTBEAT.md",
    ]) {
      expect(existsSync(join(k, f)), f).toBe(true);
    }
    expect(statSync(join(k, "workspace/skills")).isDirectory()).toBe(true);
    expect(statSync(join(k, "config.json")).mode & 0o777).toBe(0o600);
    writeFileSync(join(k, "workspace/USER.md"), "# Me\nedited\n");
    writeFileSync(join(k, "config.json"), JSON.stringify({ agents: { defaults: { model: "mine" } } }));
    const again = await runCli(["onboard", "--yes"], { env });
    expect(again.code).toBe(0);
    expect(readFileSync(join(k, "workspace/USER.md"), "utf8")).toBe("# Me\nedited\n");
    expect(JSON.parse(readFileSync(join(k, "config.json"), "utf8"))).toEqual({
      agents: { defaults: { model: "mine" } },
    });
  });

  it("reports keys found in the environment without writing them", async () => {
    const home = tempHome();
    const r = await runCli(["onboard"], { env: cleanEnv(home, { OPENAI_API_KEY: "sk-test-secret-123456" }) });
    expect(r.stdout).toContain("OPENAI_API_KEY");
    expect(r.stdout).not.toContain("sk-test-secret");
    expect(readFileSync(join(home, ".kavilo/config.json"), "utf8")).not.toContain("sk-test");
  });
});

describe("profiles", () => {
  it("use / show / list / rm", async () => {
    const home = tempHome();
    const env = cleanEnv(home);
    expect((await runCli(["profile", "use", "work"], { env })).code).toBe(0);
    expect(readFileSync(join(home, ".kavilo/active_profile"), "utf8").trim()).toBe("work");
    const show = await runCli(["profile", "show"], { env });
    expect(show.stdout).toContain("profile: work");
    expect(show.stdout).toContain(join(home, ".kavilo/profiles/work"));
    // the alias spelling
    expect((await runCli(["instance", "use", "scratch"], { env })).code).toBe(0);
    const list = await runCli(["profile", "list"], { env });
    expect(list.stdout).toMatch(/^\* scratch/m);
    expect(list.stdout).toMatch(/^ {2}work/m);
    expect(list.stdout).toMatch(/^ {2}default/m);

    const rmActive = await runCli(["profile", "rm", "scratch", "--yes"], { env });
    expect(rmActive.code).toBe(2);
    expect(rmActive.stderr).toMatch(/active profile/);
    const rmDefault = await runCli(["profile", "rm", "default", "--yes"], { env });
    expect(rmDefault.code).toBe(2);
    expect(rmDefault.stderr).toMatch(/default profile/);
    const noTty = await runCli(["profile", "rm", "work"], { env });
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toMatch(/--yes/);
    expect(existsSync(join(home, ".kavilo/profiles/work"))).toBe(true);
    const rm = await runCli(["profile", "rm", "work", "--yes"], { env });
    expect(rm.code).toBe(0);
    expect(existsSync(join(home, ".kavilo/profiles/work"))).toBe(false);

    expect((await runCli(["profile", "use", "default"], { env })).code).toBe(0);
    expect(existsSync(join(home, ".kavilo/active_profile"))).toBe(false);
    expect((await runCli(["profile", "show"], { env })).stdout).toContain("profile: default");
  });

  it("rejects invalid names", async () => {
    const r = await runCli(["profile", "use", "../x"], { env: cleanEnv(tempHome()) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid profile name/);
  });

  it("--profile/-i pin the home for one run; KAVILO_HOME wins with a warning", async () => {
    const home = tempHome();
    const p = await runCli(["-i", "temp", "status", "--json"], { env: cleanEnv(home) });
    expect(JSON.parse(p.stdout).home).toBe(join(home, ".kavilo/profiles/temp"));
    const custom = join(home, "custom");
    const both = await runCli(["--profile", "temp", "status", "--json"], {
      env: cleanEnv(home, { KAVILO_HOME: custom }),
    });
    expect(JSON.parse(both.stdout).home).toBe(custom);
    expect(both.stderr).toMatch(/warning: KAVILO_HOME=.* overrides --profile temp/);
  });
});

describe("config", () => {
  it("a bad file is one clear line, exit 2, and the file is not modified", async () => {
    const home = tempHome();
    const env = cleanEnv(home, { ANTHROPIC_API_KEY: "sk-ant-x" });
    mkdirSync(join(home, ".kavilo"), { recursive: true });
    const file = join(home, ".kavilo/config.json");
    const bad = '{\n  "agents": { "defaults": { "maxTokens": "many" } }\n}\n';
    writeFileSync(file, bad);
    for (const args of [
      ["agent", "-m", "hi"],
      ["config", "validate"],
    ]) {
      const r = await runCli(args, { env });
      expect(r.code).toBe(2);
      const lines = r.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(file);
      expect(lines[0]).toContain("agents.defaults.maxTokens");
      expect(lines[0]).toMatch(/expected number/);
    }
    expect(readFileSync(file, "utf8")).toBe(bad);
    const debug = await runCli(["--debug", "config", "validate"], { env });
    expect(debug.stderr).toMatch(/ConfigError/);
  });

  it("invalid JSON likewise", async () => {
    const home = tempHome();
    mkdirSync(join(home, ".kavilo"), { recursive: true });
    const file = join(home, ".kavilo/config.json");
    writeFileSync(file, "{ nope");
    const r = await runCli(["status"], { env: cleanEnv(home) });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/INVALID/);
    expect(readFileSync(file, "utf8")).toBe("{ nope");
  });

  it("an unknown key is a warning and is kept", async () => {
    const home = tempHome();
    mkdirSync(join(home, ".kavilo"), { recursive: true });
    const file = join(home, ".kavilo/config.json");
    writeFileSync(file, JSON.stringify({ agents: { defaults: { modle: "typo" } } }));
    const r = await runCli(["config", "validate"], { env: cleanEnv(home) });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: unknown key agents\.defaults\.modle/);
    const set = await runCli(["config", "set", "agents.defaults.maxTokens", "100"], { env: cleanEnv(home) });
    expect(set.code).toBe(0);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({
      agents: { defaults: { modle: "typo", maxTokens: 100 } },
    });
  });

  it("set refuses a value the schema rejects, get masks secrets, schema prints JSON Schema", async () => {
    const home = tempHome();
    const env = cleanEnv(home);
    const bad = await runCli(["config", "set", "agents.defaults.maxTokens", '"x"'], { env });
    expect(bad.code).toBe(2);
    expect(existsSync(join(home, ".kavilo/config.json"))).toBe(false);
    expect(
      (await runCli(["config", "set", "providers.openai.apiKey", "sk-secret-value-1234"], { env })).code,
    ).toBe(0);
    const get = await runCli(["config", "get", "providers.openai"], { env });
    expect(get.stdout).not.toContain("sk-secret");
    expect(get.stdout).toContain("[REDACTED]");
    expect(
      (await runCli(["config", "set", "channels.telegram.token", "plain-bot-token"], { env })).code,
    ).toBe(0);
    const tg = await runCli(["config", "get", "channels.telegram"], { env });
    expect(tg.stdout).not.toContain("plain-bot-token");
    const revealed = await runCli(["config", "get", "channels.telegram.token", "--reveal"], { env });
    expect(revealed.stdout.trim()).toBe("plain-bot-token");
    const schema = await runCli(["config", "schema"], { env });
    expect(JSON.parse(schema.stdout).properties.agents).toBeDefined();
  });
});

describe("status --json", () => {
  it("shows home, config, resolution, keys (never values), channels, MCP and workspace", async () => {
    const home = tempHome();
    mkdirSync(join(home, ".kavilo"), { recursive: true });
    writeFileSync(
      join(home, ".kavilo/config.json"),
      JSON.stringify({
        channels: { telegram: { enabled: true, token: "123456789:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" } },
        tools: {
          mcpServers: {
            fs: { command: "/bin/false" },
            remote: { type: "http", url: "http://127.0.0.1:1/mcp" },
            off: { command: "/bin/false", enabled: false },
          },
        },
      }),
    );
    const env = cleanEnv(home, {
      ANTHROPIC_API_KEY: "sk-ant-very-secret-value",
      KAVILO_MODEL: "claude-sonnet-5-5",
    });
    const r = await runCli(["status", "--json"], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("very-secret");
    expect(r.stdout).not.toContain("AAAAAAAA");
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({
      version: pkg.version,
      home: join(home, ".kavilo"),
      profile: "default",
      config: { valid: true, exists: true },
      provider: { name: "anthropic", model: "claude-sonnet-5-5" },
      keys: [{ provider: "anthropic", env: "ANTHROPIC_API_KEY", inEnv: true, inConfig: false }],
      channels: { telegram: { enabled: true, configured: true }, slack: { enabled: false } },
      workspace: { path: join(home, ".kavilo/workspace") },
    });
    expect(s.envOverlays).toEqual(expect.arrayContaining(["KAVILO_MODEL", "ANTHROPIC_API_KEY"]));
    expect(s.mcpServers).toMatchObject([
      { alias: "fs", transport: "stdio", state: "failed" },
      { alias: "remote", transport: "http", state: "failed", authState: { state: "none" } },
      { alias: "off", enabled: false },
    ]);
    expect(s.mcpServers[0].error).toBeTruthy();
    expect(s.mcpServers[1].error).toBeTruthy();
    const text = await runCli(["status"], { env });
    expect(text.stdout).toMatch(/fs \(stdio\): FAILED: /);
    expect(text.stdout).toMatch(/remote \(http\): FAILED: /);
  });

  it("MCP rows: one bad token file or server stays on its own row, in one line each", async () => {
    const web = await startMcpWeb();
    const closed = await freePort();
    try {
      const home = tempHome();
      mkdirSync(join(home, ".kavilo/mcp-auth/slack"), { recursive: true });
      writeFileSync(join(home, ".kavilo/mcp-auth/bad.json"), "{ not json");
      writeFileSync(
        join(home, ".kavilo/mcp-auth/slack/team.json"),
        JSON.stringify({ access_token: "xoxp-1" }),
      );
      writeFileSync(
        join(home, ".kavilo/config.json"),
        JSON.stringify({
          tools: {
            mcpServers: {
              bad: { type: "http", url: `${web.url}/mcp` },
              open: { type: "http", url: `${web.url}/mcp` },
              gw: { type: "http", url: `${web.url}/502` },
              gone: { type: "http", url: `http://127.0.0.1:${closed}/mcp` },
              bear: {
                type: "http",
                url: `${web.url}/mcp`,
                auth: { provider: "bearer", tokenFile: "nope.txt" },
              },
              team: { type: "http", url: `${web.url}/mcp`, auth: { provider: "slack" } },
            },
          },
        }),
      );
      const env = cleanEnv(home, { ANTHROPIC_API_KEY: "k" });
      const r = await runCli(["status", "--json"], { env, timeoutMs: 30_000 });
      expect(r.code).toBe(0);
      const rows = Object.fromEntries(
        (JSON.parse(r.stdout).mcpServers as Array<Record<string, unknown>>).map((m) => [m.alias, m]),
      );
      expect(rows.bad).toMatchObject({ authError: expect.stringContaining("bad.json is not valid JSON") });
      expect(rows.open).toMatchObject({ state: "connected", authState: { state: "none" } });
      expect(rows.gw).toMatchObject({ state: "failed", error: expect.stringMatching(/^HTTP 502: /) });
      expect(rows.gw?.error).not.toMatch(/[<>\n]/);
      expect(String(rows.gw?.error).length).toBeLessThanOrEqual(200);
      expect(rows.gone).toMatchObject({ state: "failed", error: expect.stringContaining("ECONNREFUSED") });
      expect(rows.bear).toMatchObject({ authState: { state: "missing" } });
      expect(rows.team).toMatchObject({ authState: { state: "present" } });
      // kavilo names itself to an MCP server with the one version it prints everywhere.
      expect(web.clients).toContainEqual({ name: "kavilo", version: pkg.version });

      const text = await runCli(["status"], { env, timeoutMs: 30_000 });
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/^ +open \(http\): connected, 1 tools$/m);
      expect(text.stdout).toMatch(/^mcp +bad \(http, auth error: .*bad\.json.*\): /m);
      expect(text.stdout).toMatch(/^ +bear \(http, bearer token missing\): /m);
      expect(text.stdout).toMatch(/^ +team \(http, slack token present\): /m);
    } finally {
      await web.close();
    }
  }, 60_000);

  it("an MCP alias that cannot name a token file is one config error", async () => {
    const home = tempHome();
    mkdirSync(join(home, ".kavilo"), { recursive: true });
    writeFileSync(
      join(home, ".kavilo/config.json"),
      JSON.stringify({
        tools: { mcpServers: { "my server": { type: "http", url: "http://127.0.0.1:1/" } } },
      }),
    );
    const r = await runCli(["status", "--json"], { env: cleanEnv(home) });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).config.error).toContain(
      'invalid MCP server alias "my server": use letters, digits, ".", "_" or "-"',
    );
  });
});
