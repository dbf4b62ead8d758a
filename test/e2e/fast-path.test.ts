import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startFakeAnthropic } from "../fakes/anthropic-server.js";
import { type FakeLlm, startFakeOpenAI } from "../fakes/openai-server.js";
import { BIN, cleanEnv, openaiEnv, ROOT, runCli, tempHome } from "../helpers/cli.js";
import { recordedProjectFiles, writeLoadHook } from "../helpers/load-hook.js";

// bin/kavilo.js runs `agent -m` and `mcp serve` through dist/fast/fast.js, without commander. The
// same invocation spelled so that only commander takes it (`-mhi` for `-m hi`) must behave the same.

let fake: FakeLlm | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** The project files a run resolves (the registerHooks trick of lazy-load.test.ts). */
async function loadedFiles(args: string[], env: NodeJS.ProcessEnv, input = ""): Promise<string[]> {
  const { hook, out } = writeLoadHook(tempHome("kavilo-fast-"));
  // Not spawnSync: the fake server answers from this process's event loop.
  const child = spawn(process.execPath, ["--import", hook, BIN, ...args], { env, stdio: "pipe" });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(input);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  expect(code, stderr).toBe(0);
  return recordedProjectFiles(out);
}

describe("the fast path for agent -m and mcp serve", () => {
  it("answers a one-shot without loading the commander program", async () => {
    fake = await startFakeOpenAI({ steps: [{ text: "fast answer" }] });
    const home = tempHome();
    const loaded = await loadedFiles(["agent", "-m", "hi", "-q"], openaiEnv(home, fake.url));
    expect(loaded).toContain("dist/fast/fast.js");
    expect(loaded).not.toContain("dist/cli/main.js");
    expect(fake.requests).toHaveLength(1);
  });

  it("serves `mcp serve self` without loading the commander program", async () => {
    const initialize = {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
    };
    const loaded = await loadedFiles(
      ["mcp", "serve", "self"],
      cleanEnv(tempHome()),
      `${JSON.stringify(initialize)}\n`,
    );
    expect(loaded).toContain("dist/fast/fast.js");
    expect(loaded).not.toContain("dist/cli/main.js");
  });

  it("answers, fails and exits exactly as the commander route does", async () => {
    fake = await startFakeOpenAI({ respond: () => ({ text: "same answer" }) });
    const home = tempHome();
    const env = openaiEnv(home, fake.url);
    const both = async (fast: string[], viaCommander: string[]) => {
      const [a, b] = [await runCli(fast, { env }), await runCli(viaCommander, { env })];
      expect({ code: a.code, stdout: a.stdout, stderr: a.stderr }, fast.join(" ")).toEqual({
        code: b.code,
        stdout: b.stdout,
        stderr: b.stderr,
      });
      return a;
    };
    // an answer
    const ok = await both(["agent", "-m", "hi", "-q"], ["agent", "-qmhi"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe("same answer\n");
    // a usage error from the command itself (exit 2, one line)
    const usage = await both(
      ["agent", "-m", "hi", "--continue", "--resume", "x"],
      ["agent", "-mhi", "--continue", "--resume", "x"],
    );
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe("kavilo: use --continue or --resume, not both\n");
    // a broken config.json: the same one line and exit code, a stack trace only with --debug
    mkdirSync(join(home, ".kavilo"), { recursive: true });
    writeFileSync(join(home, ".kavilo", "config.json"), "{ not json");
    const broken = await both(["agent", "-m", "hi"], ["agent", "-mhi"]);
    expect(broken.code).not.toBe(0);
    expect(broken.stderr).toMatch(/^kavilo: .*config\.json.*not valid JSON/);
    expect(broken.stderr).not.toMatch(/\n\s+at /);
    const debug = await runCli(["agent", "-m", "hi", "--debug"], { env });
    expect(debug.code).toBe(broken.code);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it("sends each SDK's own User-Agent (the build drops keepNames: no class is renamed there)", async () => {
    const version = (pkg: string) =>
      (
        JSON.parse(readFileSync(join(ROOT, "node_modules", pkg, "package.json"), "utf8")) as {
          version: string;
        }
      ).version;
    fake = await startFakeOpenAI({ steps: [{ text: "ok" }] });
    const home = tempHome();
    expect((await runCli(["agent", "-m", "hi", "-q"], { env: openaiEnv(home, fake.url) })).code).toBe(0);
    expect(fake.requests[0]?.headers["user-agent"]).toBe(`OpenAI/JS ${version("openai")}`);
    const anthropic = await startFakeAnthropic({ steps: [{ text: "ok" }] });
    try {
      const env = cleanEnv(home, {
        KAVILO_PROVIDER: "anthropic",
        KAVILO_API_BASE: anthropic.url,
        KAVILO_API_KEY: "test-key-not-secret",
        KAVILO_MODEL: "claude-test",
      });
      const r = await runCli(["agent", "-m", "hi", "-q"], { env });
      expect(r.code, r.stderr).toBe(0);
      expect(anthropic.requests[0]?.headers["user-agent"]).toBe(
        `Anthropic/JS ${version("@anthropic-ai/sdk")}`,
      );
    } finally {
      await anthropic.close();
    }
  });

  it("uses the profile the global flags name", async () => {
    fake = await startFakeOpenAI({ steps: [{ text: "from work" }] });
    const home = tempHome();
    const r = await runCli(["-p", "work", "agent", "-m", "hi", "-q"], { env: openaiEnv(home, fake.url) });
    expect(r.code, r.stderr).toBe(0);
    const sessions = spawnSync(process.execPath, [BIN, "-p", "work", "sessions", "list", "--json"], {
      env: openaiEnv(home, fake.url),
      encoding: "utf8",
    });
    expect(sessions.stdout).toContain("cli:default");
    const other = spawnSync(process.execPath, [BIN, "sessions", "list", "--json"], {
      env: openaiEnv(home, fake.url),
      encoding: "utf8",
    });
    expect(other.stdout).not.toContain("cli:default");
  });
});
