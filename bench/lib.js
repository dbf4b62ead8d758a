// Shared helpers for the benchmarks: wall-time ratios against bare `node -e 0`, measured in one run.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ROOT = new URL("..", import.meta.url).pathname;
export const BIN = join(ROOT, "bin", "kavilo.js");

export function benchEnv(extra = {}) {
  const home = mkdtempSync(join(tmpdir(), "kavilo-bench-"));
  return { PATH: process.env.PATH, HOME: home, LANG: "C.UTF-8", OLLAMA_HOST: "127.0.0.1:9", ...extra };
}

function once(args, env) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, stdio: ["ignore", "ignore", "pipe"] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Interleaves baseline and target runs so both see the same machine load. */
export function ratioOf(args, env, runs = 15) {
  once(args, env); // warm the compile cache and the file system
  once(["-e", "0"], env);
  const base = [];
  const target = [];
  for (let i = 0; i < runs; i++) {
    base.push(once(["-e", "0"], env));
    target.push(once(args, env));
  }
  return { baseMs: median(base), targetMs: median(target), ratio: median(target) / median(base) };
}

export function report(rows) {
  let failed = 0;
  for (const r of rows) {
    const ok = r.ratio <= r.budget;
    if (!ok) failed++;
    process.stdout.write(
      `${r.name.padEnd(44)} ratio ${r.ratio.toFixed(2).padStart(5)}x  budget ${String(r.budget).padStart(4)}x  ${ok ? "ok" : "OVER"}` +
        `   (node -e 0: ${r.baseMs.toFixed(1)} ms, this run: ${r.targetMs.toFixed(1)} ms)\n`,
    );
  }
  return failed;
}
