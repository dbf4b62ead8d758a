import { spawnSync } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, cleanEnv, ROOT, tempHome } from "../helpers/cli.js";
import { writeLoadHook } from "../helpers/load-hook.js";

/**
 * Runs the built CLI with a preload that records every file module Node resolves, and returns the
 * project files among them (relative to the repository), leaving out the entry (bin/kavilo.js) and
 * the bundler's tiny shared chunks (runtime helpers, the CliError class: under 4 KB).
 */
function loadedFiles(args: string[], opts: { smallChunks?: boolean } = {}): string[] {
  const dir = tempHome("kavilo-lazy-");
  const { hook, out } = writeLoadHook(dir);
  const r = spawnSync(process.execPath, ["--import", hook, BIN, ...args], {
    env: cleanEnv(dir),
    encoding: "utf8",
  });
  expect(r.status, r.stderr).toBe(0);
  const root = `file://${ROOT}`.replace(/\/$/, "");
  return [
    ...new Set(
      readFileSync(out, "utf8")
        .split("\n")
        .filter((u) => u.startsWith(root))
        .map((u) => u.slice(root.length + 1))
        .filter((f) => f !== "bin/kavilo.js")
        .filter(
          (f) => opts.smallChunks || !(f.startsWith("dist/chunks/") && statSync(join(ROOT, f)).size < 4096),
        ),
    ),
  ];
}

describe("start-up loads only what the command needs", () => {
  it("--version and --help load nothing but the entry", () => {
    // The version line is a file the build wrote from the version module (dist/version.txt).
    expect(loadedFiles(["--version"])).toEqual([]);
    expect(loadedFiles(["--help"])).toEqual([]);
  });

  it("a subcommand's --help loads the program and no subcommand module or SDK", () => {
    for (const args of [
      ["agent", "--help"],
      ["mcp", "serve", "--help"],
      ["start", "--help"],
    ]) {
      expect(loadedFiles(args)).toEqual(["dist/cli/main.js"]);
    }
  });

  it("no node_modules package is loaded by `kavilo status`", () => {
    const loaded = loadedFiles(["status", "--no-mcp"], { smallChunks: true });
    expect(loaded.filter((f) => f.startsWith("node_modules/"))).toEqual([]);
    // The status report is loaded (keepNames leaves its name in whichever chunk, small or not, holds it).
    expect(loaded.some((f) => readFileSync(join(ROOT, f), "utf8").includes('"buildStatus"'))).toBe(true);
  });

  it("`kavilo mcp serve self` answers initialize without loading Node's bundled undici", () => {
    // undici (behind fetch, Headers and node:http's WebSocket getter) costs more than the rest of the
    // server's start-up; the self server never makes an HTTP request.
    const dir = tempHome("kavilo-lazy-");
    const hook = join(dir, "hook.mjs");
    const out = join(dir, "undici.txt");
    writeFileSync(
      hook,
      `import { writeFileSync } from "node:fs";
       process.on("exit", () => writeFileSync(${JSON.stringify(out)}, String(process.moduleLoadList.some((m) => m.includes("undici")))));`,
    );
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
    expect(readFileSync(out, "utf8")).toBe("false");
  });
});
