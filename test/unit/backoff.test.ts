import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { backoffDelay, intervalJitter, sleep } from "../../src/core/base/backoff.js";
import { backoffMs, DEFAULT_HTTP_POLICY } from "../../src/providers/http-policy.js";
import { ROOT } from "../helpers/cli.js";

describe("backoff and sleep (core/base/backoff.ts)", () => {
  const retry = { baseMs: 100, maxMs: 1000 };

  it("doubles from base to the cap, without jitter", () => {
    expect([0, 1, 2, 3, 4, 50].map((n) => backoffDelay(n, retry))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it("with jitter, lands in the upper half of the same step", () => {
    expect(backoffDelay(2, retry, () => 0)).toBe(200);
    expect(backoffDelay(2, retry, () => 1)).toBe(400);
    expect(backoffDelay(2, retry, () => 0.5)).toBe(300);
  });

  it("the HTTP policy's backoff is this one with the policy's numbers", () => {
    const p = DEFAULT_HTTP_POLICY;
    for (const n of [0, 1, 3, 10]) {
      expect(backoffMs(n, p, () => 0.25)).toBe(
        backoffDelay(n, { baseMs: p.retryBaseMs, maxMs: p.retryMaxMs }, () => 0.25),
      );
    }
  });

  it("sleep resolves true after the delay, false at once on abort", async () => {
    expect(await sleep(5)).toBe(true);
    const ctrl = new AbortController();
    const started = Date.now();
    const pending = sleep(10_000, ctrl.signal);
    ctrl.abort();
    expect(await pending).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await sleep(10_000, ctrl.signal)).toBe(false);
  });

  it("an interval's jitter takes off up to its share, never adds", () => {
    expect(intervalJitter(60_000, 0.1, () => 0)).toBe(60_000);
    expect(intervalJitter(60_000, 0.1, () => 1)).toBe(54_000);
    expect(intervalJitter(60_000, 0.1, () => 0.5)).toBe(57_000);
    for (let i = 0; i < 100; i++) {
      const d = intervalJitter(1000, 0.25);
      expect(d).toBeGreaterThanOrEqual(750);
      expect(d).toBeLessThanOrEqual(1000);
    }
  });

  it("is the one copy: no other source file defines a sleep, a doubling backoff or a jitter", () => {
    const own = /function sleep\(|const sleep = |jitter \* |\* \(1 - jitter|\* 2 \*\* /;
    const offenders = (readdirSync(join(ROOT, "src"), { recursive: true }) as string[])
      .filter((f) => /\.tsx?$/.test(f) && f !== join("core", "base", "backoff.ts"))
      .filter((f) => own.test(readFileSync(join(ROOT, "src", f), "utf8")));
    expect(offenders).toEqual([]);
  });
});
