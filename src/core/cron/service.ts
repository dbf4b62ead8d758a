import { CronExpressionError, firstRun, runAfter } from "./next-run.js";
import type { CronStore } from "./store.js";
import type { CronJob, CronLogger } from "./types.js";
import { DEFAULT_GRACE_MS } from "./types.js";

export interface CronServiceOptions {
  store: CronStore;
  /** Runs one job (an agent turn, then delivery). A throw marks the run as failed. */
  runJob: (job: CronJob) => Promise<void>;
  now?: () => Date;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  /** How late a run may start and still run (after downtime or sleep); later runs are recorded "missed". */
  graceMs?: number;
  /** Longest sleep; jobs.json is re-read at least this often, so jobs added by another process show up. */
  pollMs?: number;
  log: CronLogger;
}

export interface CronRunResult {
  status: "ok" | "error";
  error?: string;
}

export interface CronService {
  /** Schedules all jobs. Throws (and stays stopped) when jobs.json cannot be read. */
  start(): Promise<void>;
  /** Stops the timer and waits for running jobs. */
  stop(): Promise<void>;
  /** Re-reads jobs.json and re-arms the timer; never rejects (failures are logged). */
  reload(): Promise<void>;
  /** Runs a job now without changing its schedule. */
  runNow(id: string): Promise<CronRunResult>;
}

export { DEFAULT_GRACE_MS };
export const DEFAULT_POLL_MS = 60_000;
/** setTimeout fires at once for delays above a signed 32-bit int. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function createCronService(opts: CronServiceOptions): CronService {
  const { store, runJob, log } = opts;
  const now = opts.now ?? (() => new Date());
  const setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as NodeJS.Timeout));
  const graceMs = opts.graceMs ?? DEFAULT_GRACE_MS;
  const pollMs = Math.min(opts.pollMs ?? DEFAULT_POLL_MS, MAX_TIMER_MS);

  let active = false;
  let timer: unknown;
  let planning: Promise<void> | undefined;
  let replan = false;
  const running = new Map<string, Promise<unknown>>();
  // The due time each job was last fired for: if recording its next run failed, it must not fire again.
  const firedFor = new Map<string, number>();

  function disarm() {
    if (timer !== undefined) clearTimer(timer);
    timer = undefined;
  }

  function arm(delayMs: number) {
    disarm();
    if (!active) return;
    timer = setTimer(
      () => {
        timer = undefined;
        void reload();
      },
      Math.max(0, Math.min(delayMs, pollMs)),
    );
  }

  async function execute(job: CronJob): Promise<CronRunResult> {
    log.info(`cron job ${job.id} running`);
    try {
      await runJob(job);
      return { status: "ok" };
    } catch (err) {
      const error = messageOf(err);
      log.warn(`cron job ${job.id} failed: ${error}`);
      return { status: "error", error };
    }
  }

  function track(id: string, work: Promise<unknown>) {
    const done = work.finally(() => running.delete(id));
    running.set(id, done);
    return done;
  }

  function fire(job: CronJob, dueAt: Date) {
    firedFor.set(job.id, dueAt.getTime());
    const startedAt = now();
    const work = (async () => {
      const result = await execute(job);
      if (job.schedule.kind === "at" && result.status === "ok") {
        await store.remove(job.id);
        return;
      }
      // A one-shot that failed (or was cut off by a stop) is kept, disabled, with its error, so
      // `cron list` shows what did not happen; `cron run <id>` can retry it.
      await store.update(job.id, (j) => ({
        ...j,
        lastRunAt: startedAt.toISOString(),
        lastStatus: result.status,
        lastError: result.error,
        nextRunAt: runAfter(j.schedule, dueAt, now())?.toISOString(),
        ...(j.schedule.kind === "at" ? { enabled: false } : {}),
      }));
    })().catch((err) => log.error(`cron job ${job.id}: could not record the run: ${messageOf(err)}`));
    void track(job.id, work).then(() => (active ? reload() : undefined));
  }

  async function markMissed(job: CronJob, dueAt: Date, at: Date): Promise<CronJob | undefined> {
    const why = `missed the run due at ${dueAt.toISOString()} (kavilo was not running or was asleep)`;
    log.warn(`cron job ${job.id} ${why}`);
    return store.update(job.id, (j) => {
      const next = runAfter(j.schedule, dueAt, at);
      return {
        ...j,
        lastStatus: "missed",
        lastError: why,
        // A one-shot cannot be rescheduled: keep it, disabled, so `cron list` shows what was missed.
        ...(next ? { nextRunAt: next.toISOString() } : { enabled: false }),
      };
    });
  }

  /** The job's next run time in ms, persisting a first one when the job has none. */
  async function dueTime(job: CronJob, at: Date): Promise<number | undefined> {
    if (job.nextRunAt) return Date.parse(job.nextRunAt);
    try {
      const next = firstRun(job.schedule, at).toISOString();
      await store.update(job.id, (j) => ({ ...j, nextRunAt: next }));
      return Date.parse(next);
    } catch (err) {
      if (!(err instanceof CronExpressionError)) throw err;
      log.error(`cron job ${job.id} disabled: ${err.message}`);
      await store.update(job.id, (j) => ({
        ...j,
        enabled: false,
        lastStatus: "error",
        lastError: err.message,
      }));
      return undefined;
    }
  }

  async function planOnce() {
    const jobs = await store.list();
    const at = now();
    let earliest = Number.POSITIVE_INFINITY;
    for (const job of jobs) {
      if (!job.enabled || running.has(job.id)) continue;
      const due = await dueTime(job, at);
      if (due === undefined || firedFor.get(job.id) === due) continue;
      if (due > at.getTime()) {
        earliest = Math.min(earliest, due);
      } else if (at.getTime() - due > graceMs) {
        const updated = await markMissed(job, new Date(due), at);
        if (updated?.enabled && updated.nextRunAt)
          earliest = Math.min(earliest, Date.parse(updated.nextRunAt));
      } else {
        fire(job, new Date(due));
      }
    }
    arm(earliest - at.getTime());
  }

  function plan(): Promise<void> {
    if (planning) {
      replan = true;
      return planning;
    }
    planning = (async () => {
      try {
        do {
          replan = false;
          await planOnce();
        } while (replan && active);
      } finally {
        planning = undefined;
      }
    })();
    return planning;
  }

  async function reload() {
    if (!active) return;
    try {
      await plan();
    } catch (err) {
      log.error(`cron: ${messageOf(err)}`);
      arm(pollMs);
    }
  }

  return {
    async start() {
      if (active) return;
      active = true;
      try {
        await plan();
      } catch (err) {
        active = false;
        disarm();
        throw err;
      }
    },
    async stop() {
      active = false;
      disarm();
      await planning?.catch(() => {});
      disarm();
      await Promise.allSettled([...running.values()]);
    },
    reload,
    async runNow(id) {
      const job = await store.get(id);
      if (!job) throw new Error(`no cron job with id "${id}"`);
      if (running.has(id)) throw new Error(`cron job ${id} is already running`);
      const startedAt = now();
      const work = execute(job).then(async (result) => {
        await store.update(id, (j) => ({
          ...j,
          lastRunAt: startedAt.toISOString(),
          lastStatus: result.status,
          lastError: result.error,
        }));
        return result;
      });
      await track(id, work);
      return work;
    },
  };
}
