import { createTask, parse } from "node-cron";
import type { CronSchedule } from "./types.js";
import { isValidTimeZone, localParts, nextCalendarDay, zonedToInstant } from "./zoned-time.js";

/** A cron expression or time zone that cannot be used. The message is one readable line. */
export class CronExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CronExpressionError";
  }
}

interface Matcher {
  seconds: number[];
  minutes: number[];
  hours: number[];
  months: Set<number>;
  match(date: Date): boolean;
}

const matchers = new Map<string, Matcher>();
const MATCHER_CACHE_MAX = 256;
/** Long enough for "Feb 29 that is a Monday" (28-year cycle). */
const MAX_DAYS = 366 * 30;

const ascending = (values: readonly number[]) => [...values].sort((a, b) => a - b);

/**
 * node-cron parses and matches in a time zone, but its next-run helpers only count from the real
 * `new Date()`. The service runs on an injected clock, so the walk over days is ours and each
 * candidate is confirmed by node-cron's own `match()` (which owns the L / # / weekday rules).
 */
function matcherFor(expr: string, tz: string | undefined): Matcher {
  const key = `${tz ?? ""}\u0000${expr}`;
  const cached = matchers.get(key);
  if (cached) return cached;
  if (tz !== undefined && !isValidTimeZone(tz)) throw new CronExpressionError(`unknown time zone "${tz}"`);
  let fields: ReturnType<typeof parse>;
  try {
    fields = parse(expr);
  } catch (err) {
    throw new CronExpressionError(`invalid cron expression "${expr}": ${(err as Error).message}`);
  }
  const task = createTask(expr, () => {}, tz === undefined ? undefined : { timezone: tz });
  // Only match() is used; destroying drops the task from node-cron's global registry.
  void task.destroy();
  const matcher: Matcher = {
    seconds: ascending(fields.second),
    minutes: ascending(fields.minute),
    hours: ascending(fields.hour),
    months: new Set(fields.month),
    match: (date) => task.match(date),
  };
  if (matchers.size >= MATCHER_CACHE_MAX) matchers.clear();
  matchers.set(key, matcher);
  return matcher;
}

/** Throws CronExpressionError when the expression or zone is unusable. */
export function validateCron(expr: string, tz?: string): void {
  matcherFor(expr, tz);
}

/** The first instant strictly after `from` that the expression matches in `tz` (host zone when absent). */
export function nextCronRun(expr: string, tz: string | undefined, from: Date): Date {
  const m = matcherFor(expr, tz);
  const fromMs = from.getTime();
  const start = localParts(fromMs, tz);
  let day = { year: start.year, month: start.month, day: start.day };
  for (let i = 0; i < MAX_DAYS; i++, day = nextCalendarDay(day)) {
    if (!m.months.has(day.month)) continue;
    const found = firstRunOnDay(m, day, tz, fromMs, i === 0 ? start : undefined);
    if (found !== undefined) return new Date(found);
  }
  throw new CronExpressionError(`cron expression "${expr}" has no run in the next 30 years`);
}

function firstRunOnDay(
  m: Matcher,
  day: { year: number; month: number; day: number },
  tz: string | undefined,
  fromMs: number,
  lowerBound: { hour: number; minute: number; second: number } | undefined,
): number | undefined {
  const floor = lowerBound ? lowerBound.hour * 3600 + lowerBound.minute * 60 + lowerBound.second : -1;
  for (const hour of m.hours) {
    for (const minute of m.minutes) {
      for (const second of m.seconds) {
        if (hour * 3600 + minute * 60 + second < floor) continue;
        const ts = zonedToInstant({ ...day, hour, minute, second }, tz);
        if (ts === undefined || ts <= fromMs) continue;
        if (m.match(new Date(ts))) return ts;
        // Time of day and month are matched by construction, so only day-of-month/weekday can fail:
        // no other time on this day can match either.
        return undefined;
      }
    }
  }
  return undefined;
}

/** The first run of a new job created at `now`. */
export function firstRun(schedule: CronSchedule, now: Date): Date {
  switch (schedule.kind) {
    case "cron":
      return nextCronRun(schedule.expr, schedule.tz, now);
    case "every":
      return new Date(now.getTime() + schedule.seconds * 1000);
    case "at":
      return new Date(schedule.at);
  }
}

/**
 * The run after one that was due at `dueAt`, looked up at `now`; undefined for one-shots.
 * "every" stays on its grid (due + k·interval) so runs do not drift by the job's duration.
 */
export function runAfter(schedule: CronSchedule, dueAt: Date, now: Date): Date | undefined {
  switch (schedule.kind) {
    case "cron":
      return nextCronRun(schedule.expr, schedule.tz, now > dueAt ? now : dueAt);
    case "every": {
      const step = schedule.seconds * 1000;
      const behind = Math.max(0, now.getTime() - dueAt.getTime());
      const k = Math.floor(behind / step) + 1;
      return new Date(dueAt.getTime() + k * step);
    }
    case "at":
      return undefined;
  }
}

export function describeSchedule(schedule: CronSchedule): string {
  switch (schedule.kind) {
    case "cron":
      return `cron "${schedule.expr}"${schedule.tz ? ` (${schedule.tz})` : ""}`;
    case "every":
      return `every ${formatSeconds(schedule.seconds)}`;
    case "at":
      return `once at ${schedule.at}`;
  }
}

function formatSeconds(s: number): string {
  if (s % 86_400 === 0) return `${s / 86_400}d`;
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}
