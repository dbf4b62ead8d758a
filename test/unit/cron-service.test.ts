import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type CronService, createCronService } from "../../src/core/cron/service.js";
import { type CronStore, CronStoreError, createCronStore } from "../../src/core/cron/store.js";
import type { CronJob } from "../../src/core/cron/types.js";

const T0 = Date.parse("2025-01-01T12:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A fake clock driven by the service's own timers, shrunk 1000x: a sleep of N ms fires after N/1000
 * real ms and moves the clock by N. Shrinking (rather than firing every timer at once) keeps the
 * order real: a poll timer does not overtake a job that is still writing its result.
 * In manual mode timers are only recorded.
 */
function virtualTime(auto: boolean) {
  let t = T0;
  const armed: Array<{ ms: number; fn: () => void; live: boolean }> = [];
  return {
    armed,
    now: () => new Date(t),
    setTimer(fn: () => void, ms: number) {
      const entry = { ms, fn, live: true };
      armed.push(entry);
      if (auto) {
        setTimeout(
          () => {
            if (!entry.live) return;
            entry.live = false;
            t += ms;
            fn();
          },
          Math.max(1, ms / 1000),
        );
      }
      return entry;
    },
    clearTimer(handle: unknown) {
      (handle as { live: boolean }).live = false;
    },
    lastArmed: () => armed.filter((a) => a.live).at(-1),
  };
}

let dir: string;
let store: CronStore;
let service: CronService | undefined;
const logs: string[] = [];
const log = {
  info: (m: string) => logs.push(`info ${m}`),
  warn: (m: string) => logs.push(`warn ${m}`),
  error: (m: string) => logs.push(`error ${m}`),
};

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "kavilo-cron-svc-"));
  store = createCronStore(join(dir, "cron", "jobs.json"), { now: () => new Date(T0) });
  logs.length = 0;
});
afterEach(async () => {
  await service?.stop();
  service = undefined;
  await rm(dir, { recursive: true, force: true });
});

function make(clock: ReturnType<typeof virtualTime>, runJob: (job: CronJob) => Promise<void>, extra = {}) {
  service = createCronService({
    store,
    runJob,
    now: clock.now,
    setTimer: clock.setTimer,
    clearTimer: clock.clearTimer,
    log,
    ...extra,
  });
  return service;
}

const settle = () => new Promise((r) => setTimeout(r, 30));

describe("cron service", () => {
  it("runs an every-second job on the clock and records each run", async () => {
    const clock = virtualTime(true);
    const job = await store.add({
      schedule: { kind: "every", seconds: 1 },
      message: "tick",
      nextRunAt: iso(T0 + 1000),
    });
    const runs: number[] = [];
    // A long poll interval keeps virtual time from racing ahead while a slow disk records a run.
    const svc = make(
      clock,
      async (j) => {
        expect(j.id).toBe(job.id);
        runs.push(clock.now().getTime());
      },
      { pollMs: 3600_000 },
    );
    await svc.start();
    await vi.waitFor(() => expect(runs.length).toBeGreaterThanOrEqual(3), { timeout: 5000 });
    await svc.stop();
    expect(runs.slice(0, 3)).toEqual([T0 + 1000, T0 + 2000, T0 + 3000]);
    const saved = await store.get(job.id);
    expect(saved?.lastStatus).toBe("ok");
    expect(saved?.lastRunAt).toBe(iso(runs.at(-1)!));
    expect(saved?.nextRunAt).toBe(iso(runs.at(-1)! + 1000));
    expect(saved?.lastError).toBeUndefined();
  });

  it("records a failing job as error and keeps running the others", async () => {
    const clock = virtualTime(true);
    const bad = await store.add({
      schedule: { kind: "every", seconds: 1 },
      message: "bad",
      nextRunAt: iso(T0 + 1000),
    });
    const good = await store.add({
      schedule: { kind: "every", seconds: 2 },
      message: "good",
      nextRunAt: iso(T0 + 2000),
    });
    const count = { bad: 0, good: 0 };
    const svc = make(
      clock,
      async (j) => {
        if (j.id === bad.id) {
          count.bad++;
          throw new Error("boom");
        }
        count.good++;
      },
      { pollMs: 3600_000 },
    );
    await svc.start();
    await vi.waitFor(() => expect(count.bad >= 3 && count.good >= 2).toBe(true), { timeout: 5000 });
    await svc.stop();
    const savedBad = await store.get(bad.id);
    expect(savedBad).toMatchObject({ lastStatus: "error", lastError: "boom", enabled: true });
    expect(Date.parse(savedBad!.nextRunAt!)).toBeGreaterThan(Date.parse(savedBad!.lastRunAt!));
    expect((await store.get(good.id))?.lastStatus).toBe("ok");
    expect(logs.some((l) => l.startsWith("warn") && l.includes("boom"))).toBe(true);
  });

  it("deletes a one-shot job after it runs", async () => {
    const clock = virtualTime(true);
    const job = await store.add({
      schedule: { kind: "at", at: iso(T0 + 5000) },
      message: "once",
      nextRunAt: iso(T0 + 5000),
    });
    const runs: Array<[string, number]> = [];
    const svc = make(clock, async (j) => {
      runs.push([j.id, clock.now().getTime()]);
    });
    await svc.start();
    await vi.waitFor(async () => expect(await store.list()).toEqual([]), { timeout: 5000 });
    expect(runs).toEqual([[job.id, T0 + 5000]]);
  });

  it("keeps a one-shot whose run failed, disabled, with the error", async () => {
    const clock = virtualTime(true);
    const job = await store.add({
      schedule: { kind: "at", at: iso(T0 + 5000) },
      message: "once",
      nextRunAt: iso(T0 + 5000),
    });
    let runs = 0;
    const svc = make(clock, async () => {
      runs++;
      throw new Error("the turn ended: aborted");
    });
    await svc.start();
    await vi.waitFor(async () => expect((await store.get(job.id))?.lastStatus).toBe("error"), {
      timeout: 5000,
    });
    const saved = await store.get(job.id);
    expect(saved).toMatchObject({ enabled: false, lastError: "the turn ended: aborted" });
    expect(saved?.lastRunAt).toBe(iso(T0 + 5000));
    await settle();
    expect(runs).toBe(1);
  });

  it("catches up a run missed within the grace window, once", async () => {
    const clock = virtualTime(false);
    const due = T0 - 2 * 60_000;
    const job = await store.add({
      schedule: { kind: "every", seconds: 3600 },
      message: "m",
      nextRunAt: iso(due),
    });
    let runs = 0;
    const svc = make(
      clock,
      async () => {
        runs++;
      },
      { graceMs: 5 * 60_000 },
    );
    await svc.start();
    await vi.waitFor(async () => expect((await store.get(job.id))?.lastStatus).toBe("ok"), { timeout: 5000 });
    await settle();
    expect(runs).toBe(1);
    const saved = await store.get(job.id);
    expect(saved?.nextRunAt).toBe(iso(due + 3600_000));
    expect(saved?.lastRunAt).toBe(iso(T0));
    // The next sleep is until that slot (capped by the poll interval), not an immediate re-run.
    expect(clock.lastArmed()?.ms).toBe(60_000);
  });

  it("records a run missed beyond the grace window as missed and does not run it", async () => {
    const clock = virtualTime(false);
    const due = T0 - 10 * 60_000;
    const job = await store.add({
      schedule: { kind: "every", seconds: 3600 },
      message: "m",
      nextRunAt: iso(due),
    });
    let runs = 0;
    const svc = make(
      clock,
      async () => {
        runs++;
      },
      { graceMs: 5 * 60_000, pollMs: 10 * 3600_000 },
    );
    await svc.start();
    await settle();
    expect(runs).toBe(0);
    const saved = await store.get(job.id);
    expect(saved?.lastStatus).toBe("missed");
    expect(saved?.lastError).toContain(iso(due));
    expect(saved?.lastRunAt).toBeUndefined();
    expect(saved?.nextRunAt).toBe(iso(due + 3600_000));
    expect(clock.lastArmed()?.ms).toBe(due + 3600_000 - T0);
  });

  it("keeps a missed one-shot, disabled, so the user can see it", async () => {
    const clock = virtualTime(false);
    const due = T0 - 60 * 60_000;
    const job = await store.add({
      schedule: { kind: "at", at: iso(due) },
      message: "m",
      nextRunAt: iso(due),
    });
    let runs = 0;
    const svc = make(clock, async () => {
      runs++;
    });
    await svc.start();
    await settle();
    expect(runs).toBe(0);
    expect(await store.get(job.id)).toMatchObject({ enabled: false, lastStatus: "missed" });
  });

  it("stop() waits for a running job", async () => {
    const clock = virtualTime(true);
    await store.add({ schedule: { kind: "every", seconds: 1 }, message: "m", nextRunAt: iso(T0 + 1000) });
    let release!: () => void;
    let started = false;
    const svc = make(clock, () => {
      started = true;
      return new Promise<void>((r) => {
        release = r;
      });
    });
    await svc.start();
    await vi.waitFor(() => expect(started).toBe(true), { timeout: 5000 });
    let stopped = false;
    const stopping = svc.stop().then(() => {
      stopped = true;
    });
    await settle();
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(stopped).toBe(true);
  });

  it("caps long sleeps at the poll interval and at setTimeout's limit", async () => {
    await store.add({
      schedule: { kind: "every", seconds: 100 * 86_400 },
      message: "m",
      nextRunAt: iso(T0 + 100 * 86_400_000),
    });
    const a = virtualTime(false);
    await make(a, async () => {}).start();
    expect(a.lastArmed()?.ms).toBe(60_000);
    await service?.stop();
    const b = virtualTime(false);
    await make(b, async () => {}, { pollMs: 1e12 }).start();
    expect(b.lastArmed()?.ms).toBe(2 ** 31 - 1);
  });

  it("reload() re-arms for a job added while running", async () => {
    const clock = virtualTime(false);
    const svc = make(clock, async () => {}, { pollMs: 3600_000 });
    await svc.start();
    expect(clock.lastArmed()?.ms).toBe(3600_000);
    await store.add({ schedule: { kind: "every", seconds: 5 }, message: "m", nextRunAt: iso(T0 + 5000) });
    await svc.reload();
    expect(clock.lastArmed()?.ms).toBe(5000);
    expect(clock.armed.filter((a) => a.live)).toHaveLength(1);
  });

  it("gives a job without a next run one, and disables a job whose cron is invalid", async () => {
    const clock = virtualTime(false);
    const fine = await store.add({ schedule: { kind: "every", seconds: 30 }, message: "m" });
    const broken = await store.add({ schedule: { kind: "cron", expr: "99 * * * *" }, message: "m" });
    await make(clock, async () => {}).start();
    expect((await store.get(fine.id))?.nextRunAt).toBe(iso(T0 + 30_000));
    expect(await store.get(broken.id)).toMatchObject({ enabled: false, lastStatus: "error" });
    expect((await store.get(broken.id))?.lastError).toMatch(/invalid cron expression/);
    expect(clock.lastArmed()?.ms).toBe(30_000);
  });

  it("start() fails clearly on a corrupt jobs.json and arms nothing", async () => {
    const clock = virtualTime(false);
    await store.add({ schedule: { kind: "every", seconds: 5 }, message: "m" });
    await writeFile(store.path, "{ nope");
    await expect(make(clock, async () => {}).start()).rejects.toThrow(CronStoreError);
    expect(clock.armed).toHaveLength(0);
    expect(await readFile(store.path, "utf8")).toBe("{ nope");
  });

  it("runNow() runs a job, records the result and keeps its schedule", async () => {
    const clock = virtualTime(false);
    const job = await store.add({
      schedule: { kind: "every", seconds: 60 },
      message: "m",
      nextRunAt: iso(T0 + 60_000),
    });
    const svc = make(clock, async () => {
      throw new Error("nope");
    });
    expect(await svc.runNow(job.id)).toEqual({ status: "error", error: "nope" });
    expect(await store.get(job.id)).toMatchObject({
      lastStatus: "error",
      lastError: "nope",
      lastRunAt: iso(T0),
      nextRunAt: iso(T0 + 60_000),
    });
    await expect(svc.runNow("missing")).rejects.toThrow(/no cron job with id "missing"/);
  });
});
