import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createRefresherRunner } from "../../src/refreshers/runner.js";
import { readRefresherState } from "../../src/refreshers/state.js";
import type { Refresher, TargetOutcome } from "../../src/refreshers/types.js";
import { FakeClock } from "../helpers/fake-clock.js";

const T0 = Date.UTC(2026, 0, 1);

function collector() {
  const lines: string[] = [];
  return {
    lines,
    log: {
      debug: (m: string) => lines.push(`debug ${m}`),
      info: (m: string) => lines.push(`info ${m}`),
      warn: (m: string) => lines.push(`warn ${m}`),
    },
  };
}

function scripted(
  name: string,
  intervalMs: number,
  step: (n: number, now: Date) => Promise<TargetOutcome[]>,
) {
  const ticks: number[] = [];
  const r: Refresher = {
    name,
    intervalMs,
    enabled: () => ({ enabled: true }),
    tick: async (now) => {
      ticks.push(now.getTime());
      return step(ticks.length, now);
    },
  };
  return { r, ticks };
}

describe("refresher runner", () => {
  it("ticks each enabled refresher once at start, then every interval with jitter that only shortens the wait", async () => {
    const clock = new FakeClock(T0);
    const { log } = collector();
    const a = scripted("a", 60_000, async () => [{ target: "t", result: "fresh" }]);
    const runner = createRefresherRunner({ refreshers: [a.r], log, clock, random: () => 0.5 });
    await runner.start();
    expect(a.ticks).toEqual([T0]);
    await clock.runUntil(T0 + 10 * 60_000, () => runner.whenIdle());
    // 10 % jitter at random() = 0.5 takes 5 % off: every 57 s.
    expect(a.ticks.slice(0, 3)).toEqual([T0, T0 + 57_000, T0 + 114_000]);
    expect(a.ticks.length).toBe(11);
    await runner.stop(1000);
  });

  it("a failure (reported or thrown) never stops its loop or the others; each failed target is one RefreshFailed line", async () => {
    const clock = new FakeClock(T0);
    const { log, lines } = collector();
    const bad = scripted("codex", 1000, async (n) => {
      if (n === 2) throw new Error("disk on fire");
      return [
        { target: "/c/auth.json", result: "failed", reason: "the Codex token endpoint answered HTTP 503" },
      ];
    });
    const good = scripted("aws-sso", 1000, async () => [
      { target: "corp", result: "refreshed", expiresAt: "2026-01-01T01:00:00.000Z" },
    ]);
    const runner = createRefresherRunner({ refreshers: [bad.r, good.r], log, clock, jitter: 0 });
    await runner.start();
    await clock.runUntil(T0 + 3000, () => runner.whenIdle());
    expect(bad.ticks.length).toBe(4);
    expect(good.ticks.length).toBe(4);
    const failed = lines.filter((l) => l.includes("RefreshFailed"));
    expect(failed).toEqual([
      "warn RefreshFailed codex /c/auth.json: the Codex token endpoint answered HTTP 503",
      "warn RefreshFailed codex *: disk on fire",
      "warn RefreshFailed codex /c/auth.json: the Codex token endpoint answered HTTP 503",
      "warn RefreshFailed codex /c/auth.json: the Codex token endpoint answered HTTP 503",
    ]);
    expect(lines.filter((l) => l.startsWith("info Refreshed aws-sso corp"))).toHaveLength(4);
    await runner.stop(1000);
  });

  it("says a skip once per reason, and says a disabled refresher once with why", async () => {
    const clock = new FakeClock(T0);
    const { log, lines } = collector();
    const skip = scripted("codex", 1000, async (n) =>
      n < 3
        ? [{ target: "x", result: "skipped", reason: "no login", quiet: true }]
        : [{ target: "x", result: "skipped", reason: "API-key mode" }],
    );
    const off: Refresher = {
      name: "aws-sso",
      intervalMs: 1000,
      enabled: () => ({ enabled: false, reason: "aws.enabled is false" }),
      tick: async () => {
        throw new Error("must not tick");
      },
    };
    const runner = createRefresherRunner({ refreshers: [skip.r, off], log, clock, jitter: 0 });
    await runner.start();
    await clock.runUntil(T0 + 4000, () => runner.whenIdle());
    expect(lines.filter((l) => l.includes("skipped"))).toEqual([
      "info codex x: skipped: no login",
      "warn codex x: skipped: API-key mode",
    ]);
    expect(lines).toContain("info aws-sso refresher is off: aws.enabled is false");
    expect(runner.state()[1]).toMatchObject({
      name: "aws-sso",
      enabled: false,
      reason: "aws.enabled is false",
    });
    await runner.stop(1000);
  });

  it("records expiry, last refresh, last result and next tick, and persists them for status in another process", async () => {
    const dir = await mkdtemp(join(tmpdir(), "runner-state-"));
    const statePath = join(dir, "refreshers.json");
    const clock = new FakeClock(T0);
    const { log } = collector();
    const r = scripted("codex", 3600_000, async (n) => [
      n === 1
        ? { target: "auth.json", result: "refreshed", expiresAt: "2026-01-03T00:00:00.000Z" }
        : { target: "auth.json", result: "fresh", expiresAt: "2026-01-03T00:00:00.000Z" },
    ]);
    const runner = createRefresherRunner({ refreshers: [r.r], log, clock, jitter: 0, statePath, pid: 4242 });
    await runner.start();
    await clock.runUntil(T0 + 3600_000, () => runner.whenIdle());
    const state = await readRefresherState(statePath);
    expect(state?.pid).toBe(4242);
    expect(state?.refreshers[0]).toEqual({
      name: "codex",
      enabled: true,
      intervalS: 3600,
      lastTickAt: new Date(T0 + 3600_000).toISOString(),
      nextTickAt: new Date(T0 + 7200_000).toISOString(),
      targets: [
        {
          target: "auth.json",
          result: "fresh",
          expiresAt: "2026-01-03T00:00:00.000Z",
          lastRefreshAt: new Date(T0).toISOString(),
          checkedAt: new Date(T0 + 3600_000).toISOString(),
        },
      ],
    });
    await runner.stop(1000);
  });

  it("stop waits for a tick that is writing, within the deadline, and arms nothing after", async () => {
    const clock = new FakeClock(T0);
    const { log } = collector();
    let release: () => void = () => {};
    let finished = false;
    const slow = scripted("codex", 1000, async (n) => {
      if (n === 2) {
        await new Promise<void>((r) => {
          release = r;
        });
        finished = true;
      }
      return [{ target: "x", result: "refreshed" }];
    });
    const runner = createRefresherRunner({ refreshers: [slow.r], log, clock, jitter: 0 });
    await runner.start();
    await clock.runUntil(T0 + 1000, async () => {});
    const stopping = runner.stop(5000);
    setTimeout(() => release(), 50);
    expect(await stopping).toBe(true);
    expect(finished).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it("stop gives up at the deadline and says so", async () => {
    const clock = new FakeClock(T0);
    const { log, lines } = collector();
    const hung = scripted("codex", 1000, async (n) => {
      if (n === 2) await new Promise(() => {});
      return [];
    });
    const runner = createRefresherRunner({ refreshers: [hung.r], log, clock, jitter: 0 });
    await runner.start();
    await clock.runUntil(T0 + 1000, async () => {});
    expect(await runner.stop(30)).toBe(false);
    expect(lines).toContain("warn refreshers: a token refresh was still running at the shutdown deadline");
  });
});
