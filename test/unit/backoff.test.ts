import { describe, expect, it } from "vitest";
import { backoffDelay, sleep } from "../../src/core/base/backoff.js";
import { backoffMs, DEFAULT_HTTP_POLICY } from "../../src/providers/http-policy.js";

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
});
