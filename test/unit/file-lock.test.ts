import { fork } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { acquirePidLock, LockHeldError } from "../../src/core/base/file-lock.js";
import { tempHome } from "../helpers/cli.js";

/** A pid that is certainly dead: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = fork("-e", ["0"], { execArgv: [], stdio: "ignore" });
  const pid = child.pid!;
  await new Promise((r) => child.on("exit", r));
  return pid;
}

describe("acquirePidLock", () => {
  it("takes the lock, refuses a second taker while the holder lives, releases", async () => {
    const path = join(tempHome(), "kavilo.lock");
    const release = await acquirePidLock(path);
    expect(JSON.parse(readFileSync(path, "utf8")).pid).toBe(process.pid);
    // Another live process holds it: the parent of this test is alive.
    writeFileSync(path, JSON.stringify({ pid: process.ppid, startedAt: "x" }));
    await expect(acquirePidLock(path)).rejects.toBeInstanceOf(LockHeldError);
    writeFileSync(path, JSON.stringify({ pid: process.pid, startedAt: "x" }));
    await release();
    expect(existsSync(path)).toBe(false);
  });

  it("takes over a stale lock, and of many racing takers exactly one wins", async () => {
    const path = join(tempHome(), "kavilo.lock");
    writeFileSync(path, JSON.stringify({ pid: await deadPid(), startedAt: "long ago" }));
    // Racing takers in one process would share a pid; run them as separate processes.
    const script = `
      import { acquirePidLock } from ${JSON.stringify(new URL("../../src/core/base/file-lock.ts", import.meta.url).pathname)};
      try { await acquirePidLock(process.argv[2]); process.stdout.write("won"); setTimeout(() => {}, 1500); }
      catch (e) { process.stdout.write(e.name); }
    `;
    const dir = tempHome();
    writeFileSync(join(dir, "taker.ts"), script);
    const entry = join(dir, "taker.mjs");
    await build({
      entryPoints: [join(dir, "taker.ts")],
      outfile: entry,
      bundle: true,
      platform: "node",
      format: "esm",
      logLevel: "error",
    });
    const results = await Promise.all(
      Array.from({ length: 6 }, () => {
        const child = fork(entry, [path], { execArgv: [], stdio: ["ignore", "pipe", "inherit", "ipc"] });
        let out = "";
        child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
        return new Promise<string>((resolve) => child.on("exit", () => resolve(out)));
      }),
    );
    expect(results.filter((r) => r === "won")).toHaveLength(1);
    expect(results.filter((r) => r === "LockHeldError")).toHaveLength(5);
  });

  it("a torn lock file counts as stale", async () => {
    const path = join(tempHome(), "kavilo.lock");
    writeFileSync(path, '{"pid":');
    const release = await acquirePidLock(path);
    expect(JSON.parse(readFileSync(path, "utf8")).pid).toBe(process.pid);
    await release();
  });
});
