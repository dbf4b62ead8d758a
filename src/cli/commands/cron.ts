import * as z from "zod";
import type { OutboundMessage } from "../../core/bus/types.js";
import { describeSchedule } from "../../core/cron/next-run.js";
import { CronInputError, type InputLabels, scheduleFromInput } from "../../core/cron/schedule-input.js";
import { createCronStore } from "../../core/cron/store.js";
import type { CronJob } from "../../core/cron/types.js";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";

const FLAG_LABELS: InputLabels = { at: "--at", everySeconds: "--every", cron: "--cron", tz: "--tz" };

const addOptions = z.object({
  message: z.string(),
  cron: z.string().optional(),
  tz: z.string().optional(),
  every: z.string().optional(),
  at: z.string().optional(),
  channel: z.string().optional(),
  to: z.string().optional(),
  name: z.string().optional(),
});

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

function store(ctx: CliContext) {
  return createCronStore(ctx.basePaths.cronJobs);
}

const pad2 = (n: number) => String(n).padStart(2, "0");

/** Local wall time, minute precision: what a person reads in a table. */
function localTime(iso: string | undefined): string {
  if (!iso) return "-";
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function formatJobsTable(jobs: readonly CronJob[]): string[] {
  const header = ["ID", "NAME", "SCHEDULE", "NEXT RUN", "LAST", "DELIVER", "MESSAGE"];
  const rows = jobs.map((j) => [
    j.id,
    j.name ?? "-",
    describeSchedule(j.schedule),
    j.enabled ? localTime(j.nextRunAt) : "disabled",
    j.lastStatus ? `${j.lastStatus} ${localTime(j.lastRunAt)}` : "-",
    j.deliver ? `${j.deliver.channel}:${j.deliver.chatId}` : "silent",
    clip(j.message, 40),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

export async function list(ctx: CliContext, opts: { json?: boolean } = {}): Promise<number> {
  const jobs = await store(ctx).list();
  if (opts.json) {
    out(JSON.stringify({ jobs }, null, 2));
    return 0;
  }
  if (jobs.length === 0) {
    out("no cron jobs (add one with: kavilo cron add --message ... --every 3600)");
    return 0;
  }
  for (const row of formatJobsTable(jobs)) out(row);
  const errors = jobs.filter((j) => j.lastError && j.lastStatus !== "ok");
  for (const j of errors) out(`${j.id}: ${j.lastStatus}: ${j.lastError}`);
  return 0;
}

const CHANNELS = ["telegram", "slack"] as const;

/** A misspelt channel is an error; a known one that is off only warns (it may be enabled later). */
function checkChannel(ctx: CliContext, channel: string): void {
  const name = CHANNELS.find((c) => c === channel);
  if (!name) throw new CliError(`--channel must be ${CHANNELS.join(" or ")}, not "${channel}"`, 2);
  let enabled = true;
  try {
    enabled = ctx.config().config.channels[name].enabled;
  } catch {
    // a config that does not load is reported by `kavilo start`; the job itself is still valid
  }
  if (!enabled) {
    ctx.warn(`channel ${name} is not enabled in this profile: the job cannot deliver until it is`);
  }
}

export async function add(ctx: CliContext, rawOptions: unknown): Promise<number> {
  const opts = addOptions.parse(rawOptions);
  const message = opts.message.trim();
  if (!message) throw new CliError("--message must not be empty", 2);
  if ((opts.channel === undefined) !== (opts.to === undefined)) {
    throw new CliError("--channel and --to go together (e.g. --channel telegram --to 123456)", 2);
  }
  if (opts.channel !== undefined) checkChannel(ctx, opts.channel);
  let everySeconds: number | undefined;
  if (opts.every !== undefined) {
    if (!/^\d+$/.test(opts.every.trim())) throw new CliError("--every must be a whole number of seconds", 2);
    everySeconds = Number(opts.every.trim());
  }
  let planned: ReturnType<typeof scheduleFromInput>;
  try {
    planned = scheduleFromInput(
      { at: opts.at, everySeconds, cron: opts.cron, tz: opts.tz },
      new Date(),
      FLAG_LABELS,
    );
  } catch (err) {
    if (err instanceof CronInputError) throw new CliError(err.message, 2);
    throw err;
  }
  const job = await store(ctx).add({
    ...(opts.name ? { name: opts.name } : {}),
    schedule: planned.schedule,
    message,
    ...(opts.channel && opts.to ? { deliver: { channel: opts.channel, chatId: opts.to } } : {}),
    nextRunAt: planned.nextRunAt.toISOString(),
  });
  const where = job.deliver ? `delivered to ${job.deliver.channel}:${job.deliver.chatId}` : "runs silently";
  out(
    `added cron job ${job.id}: ${describeSchedule(job.schedule)}, next run ${localTime(job.nextRunAt)}, ${where}`,
  );
  out("jobs run while `kavilo start` is running");
  return 0;
}

export async function remove(ctx: CliContext, id: unknown): Promise<number> {
  const jobId = String(id);
  if (!(await store(ctx).remove(jobId)))
    throw new CliError(`no cron job with id "${jobId}" (see kavilo cron list)`, 2);
  out(`removed cron job ${jobId}`);
  return 0;
}

/**
 * Runs one job now, in this process: the agent turn, then delivery through the job's channel (sent
 * directly with its API; nothing is started or polled). The run is recorded like a scheduled one.
 */
export async function run(ctx: CliContext, id: unknown): Promise<number> {
  const jobId = String(id);
  const jobs = store(ctx);
  const job = await jobs.get(jobId);
  if (!job) throw new CliError(`no cron job with id "${jobId}" (see kavilo cron list)`, 2);
  const { config, paths } = ctx.config();
  const { createLogger } = await import("../../core/base/logger.js");
  const { profileSecretValues } = await import("../../core/config/secret-paths.js");
  const log = createLogger({ debug: ctx.debug, secrets: profileSecretValues(config, ctx.env) });
  const { composeAgent } = await import("../compose/agent.js");
  const { runTurnToEnd } = await import("../../core/bus/run-turn.js");
  const { createCronService } = await import("../../core/cron/service.js");
  const { buildChannels, retryFromEnv } = await import("../compose/channels.js");
  const { cronJobRunner } = await import("../compose/scheduled-work.js");
  const composed = await composeAgent(ctx, { log: (l) => log.debug(l), warn: (l) => log.warn(l) });
  try {
    // Delivery sends straight through the channel's API: nothing is started or polled.
    const send = async (msg: OutboundMessage) => {
      const channels = await buildChannels({
        config,
        paths,
        log,
        retry: retryFromEnv(ctx.env),
        env: ctx.env,
      });
      const target = channels.find((c) => c.name === msg.channel);
      if (!target) throw new Error(`channel "${msg.channel}" is not enabled in this profile`);
      await target.send(msg);
    };
    const runJob = cronJobRunner(
      (req) => runTurnToEnd(composed.agent, req),
      send,
      log,
      (text) => out(text),
    );
    const service = createCronService({ store: jobs, log, runJob });
    const result = await service.runNow(job.id);
    if (result.status === "error")
      throw new CliError(`cron job ${job.id} failed: ${result.error ?? "unknown error"}`);
    out(
      `ran cron job ${job.id}${job.deliver ? ` and delivered it to ${job.deliver.channel}:${job.deliver.chatId}` : ""}`,
    );
    return 0;
  } finally {
    await composed.close();
  }
}
