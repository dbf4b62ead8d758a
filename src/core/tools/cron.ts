import * as z from "zod";
import type { ChannelTarget } from "../bus/types.js";
import { describeSchedule, nextCronRun } from "../cron/next-run.js";
import { CronInputError, scheduleFromInput } from "../cron/schedule-input.js";
import type { CronStore } from "../cron/store.js";
import type { CronDeliver, CronJob, CronSchedule } from "../cron/types.js";
import { defineTool, ToolError } from "./types.js";

export interface CronToolOptions {
  store: CronStore;
  /** Called after a job is added or removed, so the running service re-arms its timer. */
  onChange: () => void;
  now?: () => Date;
}

const parameters = z.object({
  action: z.enum(["add", "list", "remove"]),
  message: z
    .string()
    .optional()
    .describe("add: what you will be asked to do when the job runs (write it as an instruction to yourself)"),
  name: z.string().optional().describe("add: a short label"),
  in_seconds: z.number().int().positive().optional().describe("add: run once, this many seconds from now"),
  at: z.string().optional().describe("add: run once at this ISO 8601 date-time with offset"),
  every_seconds: z.number().int().positive().optional().describe("add: repeat every N seconds"),
  cron: z
    .string()
    .optional()
    .describe('add: cron expression, 5 fields or 6 with seconds, e.g. "0 9 * * 1-5"'),
  tz: z.string().optional().describe('add: IANA time zone of the cron expression, e.g. "Europe/Paris"'),
  id: z.string().optional().describe("remove: the job id"),
});

/**
 * The shortest repeat a chat may ask for: every run is a model call, and a model that writes
 * every_seconds: 1 would spend tokens around the clock. `kavilo cron add` is not limited.
 */
export const MIN_REPEAT_S = 60;

/** Seconds between runs of a repeating schedule (a cron's first two runs); undefined for one-shots. */
function repeatSeconds(schedule: CronSchedule, first: Date): number | undefined {
  if (schedule.kind === "every") return schedule.seconds;
  if (schedule.kind === "cron")
    return (nextCronRun(schedule.expr, schedule.tz, first).getTime() - first.getTime()) / 1000;
  return undefined;
}

function target(job: CronJob): string {
  if (!job.deliver) return "silent";
  const { channel, chatId, threadId } = job.deliver;
  return `${channel}:${chatId}${threadId ? `:${threadId}` : ""}`;
}

export function formatJobLine(job: CronJob): string {
  const parts = [
    job.id,
    job.name ? `"${job.name}"` : undefined,
    describeSchedule(job.schedule),
    job.enabled ? `next ${job.nextRunAt ?? "unscheduled"}` : "disabled",
    job.lastStatus ? `last ${job.lastStatus}${job.lastError ? ` (${job.lastError})` : ""}` : undefined,
    `deliver ${target(job)}`,
    `message: ${job.message}`,
  ];
  return parts.filter((p) => p !== undefined).join(" | ");
}

function deliverTo(origin: ChannelTarget): CronDeliver {
  const { channel, chatId, threadId } = origin;
  return threadId ? { channel, chatId, threadId } : { channel, chatId };
}

/** The agent's `cron` tool: schedule, list and remove jobs. Jobs added from a chat answer in that chat. */
export function createCronTool(opts: CronToolOptions) {
  const now = opts.now ?? (() => new Date());
  return defineTool({
    name: "cron",
    description:
      "Schedule work for later. action=add needs `message` and exactly one of: in_seconds (one-shot reminder, " +
      "e.g. 600 for 'in 10 minutes'), at (one-shot ISO time), every_seconds (repeat), cron (+ optional tz). " +
      "When the job runs you receive `message` as a new request and your answer goes to this chat. " +
      "action=list shows jobs; action=remove needs id.",
    parameters,
    capabilities: { sideEffect: true },
    async run(args, ctx) {
      if (args.action === "list") {
        const jobs = await opts.store.list();
        return jobs.length === 0 ? "No scheduled jobs." : jobs.map(formatJobLine).join("\n");
      }
      if (args.action === "remove") {
        if (!args.id) throw new ToolError("remove needs the job id (see action=list)");
        if (!(await opts.store.remove(args.id))) throw new ToolError(`no job with id "${args.id}"`);
        opts.onChange();
        return `Removed job ${args.id}.`;
      }
      const message = args.message?.trim();
      if (!message) throw new ToolError("add needs a non-empty message");
      let planned: ReturnType<typeof scheduleFromInput>;
      try {
        planned = scheduleFromInput(
          {
            inSeconds: args.in_seconds,
            at: args.at,
            everySeconds: args.every_seconds,
            cron: args.cron,
            tz: args.tz,
          },
          now(),
        );
      } catch (err) {
        if (err instanceof CronInputError) throw new ToolError(err.message);
        throw err;
      }
      const repeat = repeatSeconds(planned.schedule, planned.nextRunAt);
      if (repeat !== undefined && repeat < MIN_REPEAT_S) {
        throw new ToolError(
          `a repeating job may run at most once every ${MIN_REPEAT_S} s (this one: every ${repeat} s)`,
        );
      }
      const job = await opts.store.add({
        ...(args.name ? { name: args.name } : {}),
        schedule: planned.schedule,
        message,
        ...(ctx.origin ? { deliver: deliverTo(ctx.origin) } : {}),
        nextRunAt: planned.nextRunAt.toISOString(),
      });
      opts.onChange();
      const where = job.deliver ? `the answer will be sent to ${target(job)}` : "it will run silently";
      return `Scheduled job ${job.id} (${describeSchedule(job.schedule)}); next run ${job.nextRunAt}; ${where}.`;
    },
  });
}
