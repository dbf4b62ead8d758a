import { CronExpressionError, firstRun, validateCron } from "./next-run.js";
import type { CronSchedule } from "./types.js";

/** A schedule request that cannot be honoured; the message is one line meant for the user or model. */
export class CronInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CronInputError";
  }
}

export interface ScheduleInput {
  /** One-shot, relative to now ("remind me in 10 minutes"). */
  inSeconds?: number;
  /** One-shot at an ISO 8601 date-time. */
  at?: string;
  everySeconds?: number;
  cron?: string;
  tz?: string;
}

/** How the caller names each input, so errors speak its language (tool args or CLI flags). */
export type InputLabels = Record<Exclude<keyof ScheduleInput, "inSeconds">, string> & { inSeconds?: string };

export const TOOL_LABELS: InputLabels = {
  inSeconds: "in_seconds",
  at: "at",
  everySeconds: "every_seconds",
  cron: "cron",
  tz: "tz",
};

function positiveInt(value: number, label: string): number {
  if (!Number.isInteger(value) || value <= 0)
    throw new CronInputError(`${label} must be a positive whole number`);
  return value;
}

/** Turns exactly one of the schedule inputs into a schedule and its first run time. */
export function scheduleFromInput(
  input: ScheduleInput,
  now: Date,
  labels: InputLabels = TOOL_LABELS,
): { schedule: CronSchedule; nextRunAt: Date } {
  const given = (["inSeconds", "at", "everySeconds", "cron"] as const).filter((k) => input[k] !== undefined);
  if (given.length !== 1) {
    const names = [labels.inSeconds, labels.at, labels.everySeconds, labels.cron].filter(Boolean).join(", ");
    throw new CronInputError(
      given.length === 0
        ? `give a schedule: one of ${names}`
        : `give only one schedule, not ${given.map((k) => labels[k] ?? k).join(" and ")}`,
    );
  }
  if (input.tz !== undefined && input.cron === undefined) {
    throw new CronInputError(`${labels.tz} applies only to ${labels.cron}`);
  }
  let schedule: CronSchedule;
  if (input.inSeconds !== undefined) {
    const ms = positiveInt(input.inSeconds, labels.inSeconds ?? "inSeconds") * 1000;
    schedule = { kind: "at", at: new Date(now.getTime() + ms).toISOString() };
  } else if (input.at !== undefined) {
    const ms = Date.parse(input.at);
    if (Number.isNaN(ms)) {
      throw new CronInputError(
        `${labels.at} "${input.at}" is not an ISO 8601 date-time (e.g. 2030-06-01T09:00:00+02:00)`,
      );
    }
    if (ms <= now.getTime()) {
      throw new CronInputError(
        `${labels.at} ${new Date(ms).toISOString()} is in the past (now ${now.toISOString()})`,
      );
    }
    schedule = { kind: "at", at: new Date(ms).toISOString() };
  } else if (input.everySeconds !== undefined) {
    schedule = { kind: "every", seconds: positiveInt(input.everySeconds, labels.everySeconds) };
  } else {
    const expr = (input.cron ?? "").trim();
    try {
      validateCron(expr, input.tz);
    } catch (err) {
      if (err instanceof CronExpressionError) throw new CronInputError(err.message);
      throw err;
    }
    schedule = { kind: "cron", expr, ...(input.tz ? { tz: input.tz } : {}) };
  }
  return { schedule, nextRunAt: firstRun(schedule, now) };
}
