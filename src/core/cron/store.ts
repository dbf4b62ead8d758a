import { randomBytes } from "node:crypto";
import { readJsonFile, writeJsonAtomic } from "../base/atomic-file.js";
import { withFileMutex } from "../base/file-lock.js";
import { type CronFile, type CronJob, cronFileSchema, type NewCronJob } from "./types.js";

/** jobs.json could not be read or does not match the schema. It is never overwritten. */
export class CronStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CronStoreError";
  }
}

export interface CronStore {
  readonly path: string;
  list(): Promise<CronJob[]>;
  get(id: string): Promise<CronJob | undefined>;
  add(job: NewCronJob): Promise<CronJob>;
  /** True when a job was removed. */
  remove(id: string): Promise<boolean>;
  /** Applies `change` to the freshly read job; undefined when the job no longer exists. */
  update(id: string, change: (job: CronJob) => CronJob): Promise<CronJob | undefined>;
}

export interface CronStoreOptions {
  now?: () => Date;
  /** Id generator, for tests. */
  newId?: () => string;
}

const newJobId = () => randomBytes(4).toString("hex");

export function createCronStore(path: string, options: CronStoreOptions = {}): CronStore {
  const now = options.now ?? (() => new Date());
  const newId = options.newId ?? newJobId;
  // One writer at a time in this process; the file mutex covers `kavilo cron add` next to `kavilo start`.
  let queue: Promise<unknown> = Promise.resolve();

  async function read(): Promise<CronFile> {
    let raw: unknown;
    try {
      raw = await readJsonFile(path);
    } catch (err) {
      throw new CronStoreError(`cron jobs file ${(err as Error).message}`);
    }
    if (raw === undefined) return { version: 1, jobs: [] };
    const parsed = cronFileSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? issue.path.join(".") : "(root)";
      throw new CronStoreError(
        `cron jobs file ${path} is invalid at ${where}: ${issue?.message ?? "bad shape"}`,
      );
    }
    return parsed.data;
  }

  function mutate<T>(change: (file: CronFile) => { file?: CronFile; result: T }): Promise<T> {
    const run = () =>
      withFileMutex(`${path}.lock`, async () => {
        const { file, result } = change(await read());
        if (file) await writeJsonAtomic(path, file);
        return result;
      });
    const next = queue.then(run, run);
    queue = next.catch(() => {});
    return next;
  }

  return {
    path,
    async list() {
      return (await read()).jobs;
    },
    async get(id) {
      return (await read()).jobs.find((j) => j.id === id);
    },
    add(input) {
      return mutate((file) => {
        const taken = new Set(file.jobs.map((j) => j.id));
        let id = newId();
        while (taken.has(id)) id = newId();
        const job: CronJob = {
          id,
          ...(input.name ? { name: input.name } : {}),
          schedule: input.schedule,
          message: input.message,
          ...(input.deliver ? { deliver: input.deliver } : {}),
          enabled: input.enabled ?? true,
          createdAt: now().toISOString(),
          ...(input.nextRunAt ? { nextRunAt: input.nextRunAt } : {}),
        };
        return { file: { ...file, jobs: [...file.jobs, job] }, result: job };
      });
    },
    remove(id) {
      return mutate((file) => {
        const jobs = file.jobs.filter((j) => j.id !== id);
        if (jobs.length === file.jobs.length) return { result: false };
        return { file: { ...file, jobs }, result: true };
      });
    },
    update(id, change) {
      return mutate((file) => {
        const index = file.jobs.findIndex((j) => j.id === id);
        const current = file.jobs[index];
        if (!current) return { result: undefined };
        const updated = { ...change(current), id };
        const jobs = file.jobs.slice();
        jobs[index] = updated;
        return { file: { ...file, jobs }, result: updated };
      });
    },
  };
}
