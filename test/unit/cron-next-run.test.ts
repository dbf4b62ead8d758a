import { createTask } from "node-cron";
import { describe, expect, it } from "vitest";
import {
  CronExpressionError,
  firstRun,
  nextCronRun,
  runAfter,
  validateCron,
} from "../../src/core/cron/next-run.js";

const at = (iso: string) => new Date(iso);
const next = (expr: string, tz: string | undefined, from: string) =>
  nextCronRun(expr, tz, at(from)).toISOString();

describe("nextCronRun", () => {
  it("honours the time zone, winter and summer", () => {
    // 2025-01-01 is a Wednesday; the next Monday 09:00 in Paris is 08:00Z (CET, +01:00).
    expect(next("0 9 * * 1", "Europe/Paris", "2025-01-01T00:00:00Z")).toBe("2025-01-06T08:00:00.000Z");
    // In July Paris is on CEST (+02:00).
    expect(next("0 9 * * 1", "Europe/Paris", "2025-07-01T00:00:00Z")).toBe("2025-07-07T07:00:00.000Z");
    expect(next("0 9 * * 1", "America/New_York", "2025-01-01T00:00:00Z")).toBe("2025-01-06T14:00:00.000Z");
    expect(next("0 9 * * 1", "Asia/Tokyo", "2025-01-01T00:00:00Z")).toBe("2025-01-06T00:00:00.000Z");
  });

  it("is strictly after `from`", () => {
    expect(next("0 0 * * *", "UTC", "2025-01-01T00:00:00Z")).toBe("2025-01-02T00:00:00.000Z");
    expect(next("0 0 * * *", "UTC", "2024-12-31T23:59:59.999Z")).toBe("2025-01-01T00:00:00.000Z");
  });

  it("skips a wall time that a DST jump removes", () => {
    // Paris springs forward 02:00 -> 03:00 on 2025-03-30: 02:30 does not exist that day.
    expect(next("30 2 * * *", "Europe/Paris", "2025-03-29T12:00:00Z")).toBe("2025-03-31T00:30:00.000Z");
    // 03:30 exists and is already CEST.
    expect(next("30 3 * * *", "Europe/Paris", "2025-03-29T12:00:00Z")).toBe("2025-03-30T01:30:00.000Z");
  });

  it("runs a repeated wall time (DST fall-back) at its first occurrence", () => {
    // Paris falls back 03:00 -> 02:00 on 2025-10-26: 02:30 happens at 00:30Z and 01:30Z.
    expect(next("30 2 * * *", "Europe/Paris", "2025-10-25T12:00:00Z")).toBe("2025-10-26T00:30:00.000Z");
  });

  it("supports seconds, last day of month, nicknames and rare dates", () => {
    expect(next("*/15 * * * * *", "UTC", "2025-01-01T10:00:07Z")).toBe("2025-01-01T10:00:15.000Z");
    expect(next("0 12 L * *", "UTC", "2025-02-10T00:00:00Z")).toBe("2025-02-28T12:00:00.000Z");
    expect(next("@daily", "UTC", "2025-05-05T05:05:05Z")).toBe("2025-05-06T00:00:00.000Z");
    const started = performance.now();
    expect(next("0 0 29 2 *", "UTC", "2025-01-01T00:00:00Z")).toBe("2028-02-29T00:00:00.000Z");
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("agrees with node-cron's own next run for the real clock", () => {
    const cases: Array<[string, string | undefined]> = [
      ["*/5 * * * *", undefined],
      ["0 9 * * 1-5", "Europe/Paris"],
      ["15 3 1 * *", "America/Los_Angeles"],
      ["0 18 * * 5L", "Asia/Kolkata"],
      ["0 7 * * 1#2", "Australia/Sydney"],
    ];
    for (const [expr, tz] of cases) {
      const task = createTask(expr, () => {}, tz ? { timezone: tz } : undefined);
      const theirs = task.getNextRuns(1)[0]!.toISOString();
      void task.destroy();
      // getNextRuns counts from the real clock; ours from an explicit instant a moment before.
      expect(nextCronRun(expr, tz, new Date(Date.now() - 1)).toISOString(), `${expr} ${tz}`).toBe(theirs);
    }
  });

  it("rejects bad expressions and zones with a clear message", () => {
    expect(() => validateCron("61 * * * *")).toThrow(CronExpressionError);
    expect(() => validateCron("every monday")).toThrow(/invalid cron expression "every monday"/);
    expect(() => validateCron("0 9 * * *", "Mars/Olympus")).toThrow(/unknown time zone "Mars\/Olympus"/);
  });
});

describe("firstRun and runAfter", () => {
  it("every: starts one interval from now and stays on its grid", () => {
    const now = at("2025-01-01T10:00:00Z");
    expect(firstRun({ kind: "every", seconds: 60 }, now).toISOString()).toBe("2025-01-01T10:01:00.000Z");
    const s = { kind: "every", seconds: 60 } as const;
    expect(runAfter(s, at("2025-01-01T10:00:00Z"), at("2025-01-01T10:00:05Z"))?.toISOString()).toBe(
      "2025-01-01T10:01:00.000Z",
    );
    // Far behind: skips to the next slot after now, once.
    expect(runAfter(s, at("2025-01-01T10:00:00Z"), at("2025-01-01T10:03:30Z"))?.toISOString()).toBe(
      "2025-01-01T10:04:00.000Z",
    );
  });

  it("at: runs at its time, and never again", () => {
    const s = { kind: "at", at: "2030-01-01T00:00:00.000Z" } as const;
    expect(firstRun(s, at("2025-01-01T00:00:00Z")).toISOString()).toBe("2030-01-01T00:00:00.000Z");
    expect(runAfter(s, at("2030-01-01T00:00:00Z"), at("2030-01-01T00:00:01Z"))).toBeUndefined();
  });

  it("cron: the run after a late one is after now", () => {
    const s = { kind: "cron", expr: "0 * * * *", tz: "UTC" } as const;
    expect(runAfter(s, at("2025-01-01T10:00:00Z"), at("2025-01-01T10:00:03Z"))?.toISOString()).toBe(
      "2025-01-01T11:00:00.000Z",
    );
    expect(runAfter(s, at("2025-01-01T10:00:00Z"), at("2025-01-01T12:30:00Z"))?.toISOString()).toBe(
      "2025-01-01T13:00:00.000Z",
    );
  });
});
