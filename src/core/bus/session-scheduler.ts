/** Work for one session; gets the signal that /stop or shutdown aborts. */
export type SessionTask<T> = (signal: AbortSignal) => Promise<T>;

export class SchedulerClosedError extends Error {
  constructor() {
    super("kavilo is shutting down; the message was not processed");
    this.name = "SchedulerClosedError";
  }
}

interface Pending {
  run: (signal: AbortSignal) => Promise<void>;
  drop: (err: Error) => void;
}

/**
 * Runs tasks keyed by session: strictly one at a time and in order within a key, different keys
 * concurrently up to `maxConcurrent`. A task whose key is busy waits; nothing is dropped unless the
 * scheduler is told to on shutdown. A key that finishes goes to the back of the line, so one busy
 * chat cannot starve the others.
 */
export class SessionScheduler {
  private readonly queues = new Map<string, Pending[]>();
  private readonly running = new Map<string, AbortController>();
  private readonly ready: string[] = [];
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly maxConcurrent: number) {}

  run<T>(key: string, task: SessionTask<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const pending: Pending = {
        run: async (signal) => {
          try {
            resolve(await task(signal));
          } catch (err) {
            reject(err);
          }
        },
        drop: reject,
      };
      const queue = this.queues.get(key);
      if (queue) queue.push(pending);
      else this.queues.set(key, [pending]);
      if (!this.running.has(key) && !this.ready.includes(key)) this.ready.push(key);
      this.pump();
    });
  }

  /** Aborts the running task of a session; false when nothing runs there. */
  abort(key: string): boolean {
    const ac = this.running.get(key);
    if (!ac) return false;
    ac.abort(new Error("stopped"));
    return true;
  }

  abortAll(): number {
    for (const ac of this.running.values()) ac.abort(new Error("shutdown"));
    return this.running.size;
  }

  /** Rejects every task not started yet; returns how many. */
  dropPending(err: Error = new SchedulerClosedError()): number {
    let dropped = 0;
    for (const queue of this.queues.values()) {
      for (const p of queue.splice(0)) {
        p.drop(err);
        dropped++;
      }
    }
    this.queues.clear();
    this.ready.length = 0;
    this.checkIdle();
    return dropped;
  }

  isBusy(key: string): boolean {
    return this.running.has(key);
  }

  get activeCount(): number {
    return this.running.size;
  }

  get pendingCount(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  /** Resolves when nothing runs and nothing waits. */
  idle(): Promise<void> {
    if (this.running.size === 0 && this.pendingCount === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump() {
    while (this.running.size < this.maxConcurrent && this.ready.length > 0) {
      const key = this.ready.shift() as string;
      const queue = this.queues.get(key);
      const next = queue?.shift();
      if (!next) {
        this.queues.delete(key);
        continue;
      }
      const ac = new AbortController();
      this.running.set(key, ac);
      void next
        .run(ac.signal)
        .catch(() => {})
        .finally(() => {
          this.running.delete(key);
          if ((this.queues.get(key)?.length ?? 0) > 0) this.ready.push(key);
          else this.queues.delete(key);
          this.pump();
          this.checkIdle();
        });
    }
  }

  private checkIdle() {
    if (this.running.size > 0 || this.pendingCount > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
