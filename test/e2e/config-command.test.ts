import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BIN, cleanEnv, ROOT, runCli, tempHome } from "../helpers/cli.js";

beforeAll(() => {
  if (!existsSync(join(ROOT, "dist/cli/main.js"))) throw new Error("run npm run build before the e2e tests");
});

describe("global flags", () => {
  it("-pNAME, -iNAME and --instance=NAME pick the profile like -p NAME", async () => {
    const home = tempHome();
    const env = cleanEnv(home);
    for (const flag of ["-pwork", "-iwork", "--instance=work", "--profile=work"]) {
      const r = await runCli([flag, "profile", "show"], { env });
      expect(r.code, `${flag}: ${r.stderr}`).toBe(0);
      expect(r.stdout, flag).toContain("profile: work");
      expect(r.stdout, flag).toContain(join(home, ".kavilo/profiles/work"));
    }
  });
});

describe("exit codes", () => {
  it("usage errors exit 2; help and version exit 0", async () => {
    const env = cleanEnv(tempHome());
    for (const args of [
      ["agent", "--bogus"],
      ["agent", "-m"],
      ["config", "get", "a", "b"],
      ["nosuch"],
      ["config"],
    ]) {
      const r = await runCli(args, { env });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).not.toMatch(/--debug/);
    }
    expect((await runCli(["config", "--help"], { env })).code).toBe(0);
    expect((await runCli(["help"], { env })).code).toBe(0);
    expect((await runCli(["version"], { env })).code).toBe(0);
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

describe("bin/kavilo.js on an old Node", () => {
  const systemNode = "/usr/bin/node";
  const version = existsSync(systemNode)
    ? spawnSync(systemNode, ["-p", "process.versions.node"], { encoding: "utf8" }).stdout.trim()
    : "";
  const old = /^(\d+)\.(\d+)/.exec(version);
  const isOld = old !== null && (Number(old[1]) < 22 || (Number(old[1]) === 22 && Number(old[2]) < 12));

  it.runIf(isOld)("says which Node it needs in one line and exits 2", () => {
    for (const args of [["status"], ["--version"]]) {
      const r = spawnSync(systemNode, [BIN, ...args], { env: cleanEnv(tempHome()), encoding: "utf8" });
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(
        `kavilo needs Node 22.12 or newer (this is Node ${version}); install a current LTS, or run it with npx from a checkout\n`,
      );
    }
  });
});
