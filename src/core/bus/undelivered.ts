import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import * as z from "zod";
import { writeJsonAtomic } from "../base/atomic-file.js";
import { backoffDelay } from "../base/backoff.js";
import type { BusLogger } from "./message-bus.js";
import type { OutboundMessage } from "./types.js";

/** Where replies that could not be delivered wait for another try, inside the profile. */
export function undeliveredDir(home: string): string {
  return join(home, "queue", "undelivered");
}

export interface UndeliveredPolicy {
  /** Wait before the first retry, doubling after each. */
  baseMs: number;
  /** Longest wait between two retries. */
  maxMs: number;
  /** How long a reply is retried (across starts) before it is given up, loudly. At least an hour. */
  keepMs: number;
}

export const DEFAULT_UNDELIVERED_POLICY: UndeliveredPolicy = {
  baseMs: 30_000,
  maxMs: 10 * 60_000,
  keepMs: 24 * 60 * 60_000,
};

const entrySchema = z.object({
  msg: z.object({
    channel: z.string(),
    chatId: z.string(),
    threadId: z.string().optional(),
    text: z.string(),
    replyTo: z.string().optional(),
  }),
  firstFailedAt: z.number(),
  attempts: z.number(),
  lastError: z.string(),
});
type Entry = z.infer<typeof entrySchema>;

const ENTRY_FILE = /^[0-9a-f-]{36}\.json$/;

export interface UndeliveredOptions {
  dir: string;
  send: (msg: OutboundMessage) => Promise<void>;
  log: BusLogger;
  policy?: UndeliveredPolicy;
  now?: () => number;
}

/**
 * The durable outbox for replies: a reply the channel still could not send after its own retries
 * is written here (one 0600 file per reply) and retried with backoff, across restarts, until it is
 * sent or has waited `keepMs`; then it is renamed `.given-up` and logged as an error. Never dropped
 * silently.
 */
export class UndeliveredReplies {
  private readonly policy: UndeliveredPolicy;
  private readonly now: () => number;
  /** id → when to try next. */
  private readonly due = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly o: UndeliveredOptions) {
    this.policy = o.policy ?? DEFAULT_UNDELIVERED_POLICY;
    this.now = o.now ?? Date.now;
  }

  /** Keeps a reply whose delivery failed; returns the file it waits in. */
  async keep(msg: OutboundMessage, err: unknown): Promise<string> {
    const id = randomUUID();
    const entry: Entry = { msg, firstFailedAt: this.now(), attempts: 1, lastError: errorText(err) };
    await mkdir(this.o.dir, { recursive: true, mode: 0o700 });
    const file = this.fileOf(id);
    await writeJsonAtomic(file, entry, { mode: 0o600 });
    this.due.set(id, this.now() + this.delay(1));
    this.arm();
    return file;
  }

  /** At start: every reply kept by an earlier run is tried again now. Returns how many wait. */
  async resume(): Promise<number> {
    let names: string[];
    try {
      names = (await readdir(this.o.dir)).filter((n) => ENTRY_FILE.test(n));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return 0;
      throw err;
    }
    for (const name of names) this.due.set(name.slice(0, -".json".length), this.now());
    if (names.length > 0) this.o.log.info(`retrying ${names.length} reply(ies) not delivered before`);
    this.arm();
    return names.length;
  }

  /** How many replies wait for delivery. */
  get size(): number {
    return this.due.size;
  }

  /** Stops retrying in this process; the files stay for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private fileOf(id: string): string {
    return join(this.o.dir, `${id}.json`);
  }

  private delay(attempts: number): number {
    return backoffDelay(attempts - 1, this.policy);
  }

  private arm(): void {
    clearTimeout(this.timer);
    if (this.stopped || this.due.size === 0 || this.running) return;
    const next = Math.min(...this.due.values());
    this.timer = setTimeout(
      () => {
        this.running = this.retryDue().finally(() => {
          this.running = undefined;
          this.arm();
        });
      },
      Math.max(0, next - this.now()),
    );
    this.timer.unref();
  }

  private async retryDue(): Promise<void> {
    const now = this.now();
    for (const [id, at] of [...this.due]) {
      if (this.stopped) return;
      if (at > now) continue;
      await this.retry(id).catch((err: unknown) => {
        this.due.delete(id);
        this.o.log.error(`undelivered reply ${this.fileOf(id)}: ${errorText(err)}`);
      });
    }
  }

  private async retry(id: string): Promise<void> {
    const file = this.fileOf(id);
    const entry = entrySchema.parse(JSON.parse(await readFile(file, "utf8")));
    const to = `${entry.msg.channel} ${entry.msg.chatId}`;
    try {
      await this.o.send(entry.msg);
      await rm(file, { force: true });
      this.due.delete(id);
      this.o.log.info(
        `${entry.msg.channel}: delivered a reply to ${entry.msg.chatId} after ${entry.attempts + 1} tries`,
      );
      return;
    } catch (err) {
      entry.attempts++;
      entry.lastError = errorText(err);
    }
    if (this.now() - entry.firstFailedAt >= this.policy.keepMs) {
      this.due.delete(id);
      await rename(file, `${file}.given-up`);
      this.o.log.error(
        `${entry.msg.channel}: gave up delivering a reply to ${entry.msg.chatId} after ${entry.attempts} tries ` +
          `(${entry.lastError}); it is kept in ${file}.given-up`,
      );
      return;
    }
    await writeJsonAtomic(file, entry, { mode: 0o600 });
    const wait = this.delay(entry.attempts);
    this.due.set(id, this.now() + wait);
    this.o.log.warn(
      `${to}: reply still not delivered (${entry.lastError}); next try in ${Math.round(wait / 1000)} s`,
    );
  }
}

/**
 * A send for messages the user expects that are not replies to a message (cron results, heartbeats,
 * a sub-agent's answer): what the channel still cannot deliver is kept in the durable outbox and
 * retried, like a reply, instead of lost. Rejects only when it could not even be kept.
 */
export function sendOrKeep(
  send: (msg: OutboundMessage) => Promise<void>,
  outbox: Pick<UndeliveredReplies, "keep">,
  log: BusLogger,
): (msg: OutboundMessage) => Promise<void> {
  return async (msg) => {
    try {
      await send(msg);
    } catch (err) {
      const why = `${msg.channel}: could not deliver a message to ${msg.chatId}: ${errorText(err)}`;
      const file = await outbox.keep(msg, err).catch((keepErr: unknown) => {
        throw new Error(`${why}; and it could not be kept for a retry: ${errorText(keepErr)}`);
      });
      log.warn(`${why}; kept in ${file} and retried`);
    }
  };
}

function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n")[0] ?? "";
}
