import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, ROOT, runCli, tempHome } from "../helpers/cli.js";

beforeAll(() => {
  if (!existsSync(join(ROOT, "dist/cli/main.js"))) throw new Error("run npm run build before the e2e tests");
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

describe("config get/set/unset", () => {
  it("a secret leaf is masked unless --reveal", async () => {
    const env = cleanEnv(tempHome());
    const secrets: Array<[string, string]> = [
      ["providers.deepseek.apiKey", "dsk0123456789abcdef"],
      ["channels.slack.appToken", "xapp-1-leaf-secret"],
      ["channels.telegram.token", "123456:leaf-bot-token"],
    ];
    for (const [key, value] of secrets) {
      expect((await runCli(["config", "set", key, value], { env })).code).toBe(0);
      const get = await runCli(["config", "get", key], { env });
      expect(get.code).toBe(0);
      expect(get.stdout, key).not.toContain(value);
      expect(get.stdout.trim(), key).toBe("[REDACTED]");
      expect((await runCli(["config", "get", key, "--reveal"], { env })).stdout.trim()).toBe(value);
    }
    // Not a secret: printed as it is.
    expect((await runCli(["config", "set", "agents.defaults.model", "gpt-5-mini"], { env })).code).toBe(0);
    expect((await runCli(["config", "get", "agents.defaults.model"], { env })).stdout.trim()).toBe(
      "gpt-5-mini",
    );
  });

  it("a number for a text key says how to quote it; unset removes a key", async () => {
    const home = tempHome();
    const env = cleanEnv(home);
    const file = join(home, ".kavilo/config.json");
    const num = await runCli(["config", "set", "providers.openai.apiKey", "1234"], { env });
    expect(num.code).toBe(2);
    expect(num.stderr).toMatch(/expected string.*quote it: '"1234"'/);
    expect(existsSync(file)).toBe(false);
    expect((await runCli(["config", "set", "providers.openai.apiKey", '"1234"'], { env })).code).toBe(0);
    expect(JSON.parse(readFileSync(file, "utf8")).providers.openai.apiKey).toBe("1234");

    const unset = await runCli(["config", "unset", "providers.openai.apiKey"], { env });
    expect(unset.code, unset.stderr).toBe(0);
    expect(JSON.parse(readFileSync(file, "utf8")).providers.openai.apiKey).toBeUndefined();
    const again = await runCli(["config", "unset", "providers.openai.apiKey"], { env });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no value at providers\.openai\.apiKey/);
  });
});

describe("an unreadable config.json", () => {
  it("a directory in its place is a config error naming the file, exit 2; status shows it invalid", async () => {
    const home = tempHome();
    const env = cleanEnv(home);
    const file = join(home, ".kavilo/config.json");
    mkdirSync(file, { recursive: true });
    const r = await runCli(["config", "get", "agents"], { env });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`kavilo: config error: ${file}: cannot read: it is a directory, not a file`);
    const status = await runCli(["status", "--json", "--no-mcp"], { env });
    // status reports an invalid config (and exits 2, as for any invalid config) instead of failing.
    expect(status.code, status.stderr).toBe(2);
    expect(JSON.parse(status.stdout).config).toMatchObject({
      valid: false,
      error: expect.stringMatching(/cannot read/),
    });
  });

  // root reads any file whatever its mode; the directory case above runs everywhere.
  it.runIf(process.getuid?.() !== 0)(
    "chmod 000 is a config error, exit 2, and the file is untouched",
    async () => {
      const home = tempHome();
      const env = cleanEnv(home);
      const file = join(home, ".kavilo/config.json");
      mkdirSync(join(home, ".kavilo"));
      writeFileSync(file, "{}");
      chmodSync(file, 0o000);
      try {
        const r = await runCli(["config", "get", "agents"], { env });
        expect(r.code).toBe(2);
        expect(r.stderr.trim()).toBe(`kavilo: config error: ${file}: cannot read: permission denied`);
      } finally {
        chmodSync(file, 0o600);
      }
      expect(readFileSync(file, "utf8")).toBe("{}");
    },
  );
});
