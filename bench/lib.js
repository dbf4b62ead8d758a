// Shared helpers for the benchmarks: wall-time ratios measured in one run, never absolute times.
// Every timed target runs in alternation with its baseline (same machine load for both); a ratio is
// median ÷ median over the rounds, printed with the quartiles of the per-round ratios as its spread.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ROOT = new URL("..", import.meta.url).pathname;
export const BIN = join(ROOT, "bin", "kavilo.js");
/** Rounds per comparison: `BENCH_RUNS` overrides (more on a loaded machine). */
export const RUNS = Number(process.env.BENCH_RUNS ?? 21);

/**
 * Bundles `entry` (TypeScript that imports from src/) to build/bench/<name>.mjs and imports it. The
 * bundle is written inside the checkout, so its external packages resolve from node_modules.
 */
export async function importBundle(entry, name) {
  const { build } = await import("esbuild");
  mkdirSync(join(ROOT, "build", "bench"), { recursive: true });
  const out = join(ROOT, "build", "bench", `${name}.mjs`);
  await build({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    logLevel: "error",
    absWorkingDir: ROOT,
  });
  return import(out);
}
/** `BENCH_BUDGET_SCALE` multiplies every budget (below 1 to tighten them, or to see --check fail). */
const BUDGET_SCALE = Number(process.env.BENCH_BUDGET_SCALE ?? 1);

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
  return quantile(xs, 0.5);
}

function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (pos - lo);
}

/**
 * median(target) ÷ median(base), each side timed in the same alternating rounds, with the quartiles
 * of the per-round ratios as the spread. (The median of per-round ratios swings more when single
 * runs are disturbed by other load, so it is shown as the spread, not used as the ratio.)
 */
export function pairedRatio(target, base) {
  const ratios = target.map((t, i) => t / base[i]);
  return {
    ratio: median(target) / median(base),
    spread: [quantile(ratios, 0.25), quantile(ratios, 0.75)],
    baseMs: median(base),
    targetMs: median(target),
  };
}

/**
 * Times each target once per round, in turn, for `runs` rounds after one warm-up each (compile
 * cache, file system). `timeOne(args)` resolves to milliseconds. Returns the times per target.
 */
export async function alternate(targets, timeOne, runs = RUNS) {
  for (const args of targets) await timeOne(args);
  const times = targets.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [j, args] of targets.entries()) times[j].push(await timeOne(args));
  }
  return times;
}

/** A command's wall time against bare `node -e 0`, alternating. */
export async function ratioOf(args, env, runs = RUNS) {
  const [base, target] = await alternate([["-e", "0"], args], async (a) => once(a, env), runs);
  return pairedRatio(target, base);
}

/**
 * Prints one line per row: the measured ratio, its spread, its budget and ok/OVER. A row without a
 * budget is information (a floor against bare node). Returns how many rows are over budget.
 */
export function report(rows) {
  let failed = 0;
  for (const row of rows) {
    const r = typeof row.budget === "number" ? { ...row, budget: row.budget * BUDGET_SCALE } : row;
    const hasBudget = typeof r.budget === "number";
    const ok = !hasBudget || r.ratio <= r.budget;
    if (!ok) failed++;
    const spread = r.spread ? ` [${r.spread[0].toFixed(2)}–${r.spread[1].toFixed(2)}]` : "";
    const verdict = hasBudget
      ? `budget ${String(Number(r.budget.toFixed(3))).padStart(4)}x  ${ok ? "ok  " : "OVER"}`
      : "(floor, no budget)";
    const detail = r.detail ?? `medians: base ${r.baseMs.toFixed(1)} ms, this ${r.targetMs.toFixed(1)} ms`;
    process.stdout.write(
      `${r.name.padEnd(48)} ratio ${r.ratio.toFixed(2).padStart(5)}x${spread.padEnd(13)} ${verdict}   (${detail})\n`,
    );
  }
  return failed;
}
