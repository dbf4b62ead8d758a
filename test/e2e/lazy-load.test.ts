import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bodyOf, startFakeOpenAI } from "../fakes/openai-server.js";
import { BIN, cleanEnv, openaiEnv, ROOT, tempHome } from "../helpers/cli.js";
import { definesName, writeBuiltinsHook, writeLoadHook } from "../helpers/load-hook.js";

/** A preload that records every file module Node resolves into `out`, in a fresh home `dir`. */
function resolveRecorder(): { dir: string; hook: string; out: string } {
  const dir = tempHome("kavilo-lazy-");
  const { hook, out } = writeLoadHook(dir);
  return { dir, hook, out };
}

/**
 * The project files among what was recorded (relative to the repository), leaving out the entry
 * (bin/kavilo.js) and, unless `smallChunks`, the bundler's tiny shared chunks (runtime helpers, the
 * CliError class: under 4 KB).
 */
function projectFiles(out: string, smallChunks = false): string[] {
  const root = `file://${ROOT}`.replace(/\/$/, "");
  return [
    ...new Set(
      readFileSync(out, "utf8")
        .split("\n")
        .filter((u) => u.startsWith(root))
        .map((u) => u.slice(root.length + 1))
        .filter((f) => f !== "bin/kavilo.js")
        .filter(
          (f) => smallChunks || !(/^dist\/(fast\/)?chunks\//.test(f) && statSync(join(ROOT, f)).size < 4096),
        ),
    ),
  ];
}

/** Runs the built CLI with the recorder and returns the project files it loaded. */
function loadedFiles(args: string[], opts: { smallChunks?: boolean } = {}): string[] {
  const { dir, hook, out } = resolveRecorder();
  const r = spawnSync(process.execPath, ["--import", hook, BIN, ...args], {
    env: cleanEnv(dir),
    encoding: "utf8",
  });
  expect(r.status, r.stderr).toBe(0);
  return projectFiles(out, opts.smallChunks);
}

describe("start-up loads only what the command needs", () => {
  it("--version and --help load nothing but the entry", () => {
    // The version line is a file the build wrote from the version module (dist/version.txt).
    expect(loadedFiles(["--version"])).toEqual([]);
    expect(loadedFiles(["--help"])).toEqual([]);
  });

  it("a subcommand's --help loads the fast-path check, the program and no subcommand module or SDK", () => {
    for (const args of [
      ["agent", "--help"],
      ["mcp", "serve", "--help"],
      ["start", "--help"],
    ]) {
      expect(loadedFiles(args)).toEqual(["dist/fast/fast.js", "dist/cli/main.js"]);
    }
  });

  it("no node_modules package is loaded by `kavilo status`", () => {
    const loaded = loadedFiles(["status", "--no-mcp"], { smallChunks: true });
    expect(loaded.filter((f) => f.startsWith("node_modules/"))).toEqual([]);
    // The status report is loaded (keepNames leaves its name in whichever chunk, small or not, holds it).
    expect(loaded.some((f) => readFileSync(join(ROOT, f), "utf8").includes('"buildStatus"'))).toBe(true);
  });

  it("`kavilo agent -m` lists the built-in and kavilo_* tools to the model without loading any of them", async () => {
    const llm = await startFakeOpenAI({ steps: [{ text: "hello" }] });
    try {
      // Not spawnSync: the fake answers from this process's event loop.
      const { dir, hook, out } = resolveRecorder();
      const child = spawn(process.execPath, ["--import", hook, BIN, "agent", "-m", "hi"], {
        env: openaiEnv(dir, llm.url),
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const [code] = (await once(child, "close")) as [number | null];
      expect(code, stderr).toBe(0);
      const loaded = projectFiles(out, true);
      // Each factory is found by its definition, and is first checked to be in the fast path's build.
      const factories = [
        "createReadFileTool",
        "createShellTool",
        "createWebFetchTool",
        "createBuiltinTools",
        "createSelfTools",
        "selfToolsAsAgentTools",
        "slackToolsAsAgentTools",
        "liveBuiltinCatalog",
        "liveSelfCatalog",
      ];
      const fastBuild = readdirSync(join(ROOT, "dist/fast/chunks")).map((f) =>
        readFileSync(join(ROOT, "dist/fast/chunks", f), "utf8"),
      );
      for (const name of factories) {
        expect(
          fastBuild.some((text) => definesName(text, name)),
          `${name} is in dist/fast`,
        ).toBe(true);
      }
      const defining = loaded.flatMap((f) => {
        const text = readFileSync(join(ROOT, f), "utf8");
        return factories.filter((name) => definesName(text, name)).map((name) => `${f}: ${name}`);
      });
      expect(defining).toEqual([]);
      const tools = (bodyOf(llm.requests[0]!) as { tools: Array<{ function: { name: string } }> }).tools;
      expect(tools.map((t) => t.function.name)).toEqual(
        expect.arrayContaining(["read_file", "shell", "kavilo_status"]),
      );
    } finally {
      await llm.close();
    }
  });

  it("--version loads no fs/promises: bin/kavilo.js takes its built-ins without an ESM namespace", () => {
    // `import ... from "node:fs"` builds fs's namespace, whose `promises` getter loads fs/promises.
    const dir = tempHome("kavilo-lazy-");
    const { hook, out } = writeBuiltinsHook(dir);
    // The preload itself loads no fs/promises: the baseline shows it.
    const baseline = spawnSync(process.execPath, ["--import", hook, "-e", "0"], { env: cleanEnv(dir) });
    expect(baseline.status).toBe(0);
    expect(readFileSync(out, "utf8")).not.toContain("fs/promises");
    const r = spawnSync(process.execPath, ["--import", hook, BIN, "--version"], {
      env: cleanEnv(dir),
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(out, "utf8")).toContain("NativeModule fs"); // the record is real
    expect(readFileSync(out, "utf8")).not.toContain("fs/promises");
  });

  it("`kavilo mcp serve self` answers initialize without loading Node's bundled undici", () => {
    // undici (behind fetch, Headers and node:http's WebSocket getter) costs more than the rest of the
    // server's start-up; the self server never makes an HTTP request.
    const dir = tempHome("kavilo-lazy-");
    const { hook, out } = writeBuiltinsHook(dir);
    const initialize = {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
    };
    const r = spawnSync(process.execPath, ["--import", hook, BIN, "mcp", "serve", "self"], {
      env: cleanEnv(dir),
      input: `${JSON.stringify(initialize)}\n`,
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('"serverInfo"');
    const builtins = readFileSync(out, "utf8").split("\n");
    expect(builtins.some((m) => m.includes("undici"))).toBe(false);
  });
});
