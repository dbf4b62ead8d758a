import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BIN, cleanEnv, ROOT, runCli, tempHome } from "../helpers/cli.js";

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
      // the same line for each, so a script may use any of them
      expect(r.stdout).toBe(`${pkg.version}\n`);
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
      "doctor",
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

describe("bin/kavilo.js on an old Node", () => {
  const systemNode = "/usr/bin/node";
  const version = existsSync(systemNode)
    ? spawnSync(systemNode, ["-p", "process.versions.node"], { encoding: "utf8" }).stdout.trim()
    : "";
  const old = /^(\d+)\.(\d+)/.exec(version);
  const isOld = old !== null && (Number(old[1]) < 22 || (Number(old[1]) === 22 && Number(old[2]) < 19));

  it.runIf(isOld)("says which Node it needs in one line and exits 2", () => {
    for (const args of [["status"], ["--version"]]) {
      const r = spawnSync(systemNode, [BIN, ...args], { env: cleanEnv(tempHome()), encoding: "utf8" });
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(
        `kavilo needs Node 22.19 or newer (this is Node ${version}); install a current LTS, or run it with npx from a checkout\n`,
      );
    }
  });
});
