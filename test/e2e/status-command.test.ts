import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { freePort, startMcpWeb } from "../fakes/mcp-web.js";
import { cleanEnv, ROOT, runCli, tempHome } from "../helpers/cli.js";

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };

beforeAll(() => {
  if (!existsSync(join(ROOT, "dist/cli/main.js"))) throw new Error("run npm run build before the e2e tests");
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

describe("status", () => {
  it("names KAVILO_API_BASE when it picked the provider", async () => {
    const env = cleanEnv(tempHome(), {
      KAVILO_API_BASE: "http://127.0.0.1:9/v1",
      KAVILO_MODEL: "local-model",
    });
    const r = await runCli(["status", "--json", "--no-mcp"], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).provider).toMatchObject({ name: "custom", reason: "set by KAVILO_API_BASE" });
  });
});
