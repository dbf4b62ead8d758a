import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";

/** `node bench/run.js startup --check` with two rounds and every budget multiplied by `scale`. */
function check(scale: string) {
  return spawnSync(process.execPath, [join(ROOT, "bench/run.js"), "startup", "--check"], {
    env: { PATH: process.env.PATH, BENCH_RUNS: "2", BENCH_BUDGET_SCALE: scale },
    encoding: "utf8",
  });
}

describe("bench/run.js --check", () => {
  it("exits 1 and marks the rows OVER when a budget is exceeded, printing each ratio against its budget", () => {
    // A hundredth of 1.3x: no command runs in 1.3% of bare node's time.
    const r = check("0.01");
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toMatch(
      /kavilo --version ÷ node\s+ratio\s+\d+\.\d\dx \[[\d.]+–[\d.]+\]\s+budget 0\.013x\s+OVER/,
    );
    expect(r.stdout).toMatch(/kavilo --help ÷ node .* OVER/);
    expect(r.stdout).toContain("2 over budget");
  });

  it("exits 0 when every row is within its budget", () => {
    const r = check("100");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("all within budget");
    expect(r.stdout).not.toContain("OVER");
  });
});
