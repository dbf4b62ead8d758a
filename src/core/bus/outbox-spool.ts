import { randomUUID } from "node:crypto";
import { type FSWatcher, watch } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import * as z from "zod";
import { writeFileAtomic } from "../base/atomic-file.js";
import { liveHolder } from "../base/file-lock.js";
import type { OutboundMessage } from "./types.js";

/**
 * The outbox spool: how another process (`kavilo mcp serve self`) asks the running `kavilo start`
 * of the same profile to send a chat message. A request is `<id>.json`; start claims it by renaming
 * it to `<id>.claimed`, sends it through its channels and answers with `<id>.result.json`.
 * Every file is written atomically with mode 0600.
 */
export function outboxDir(home: string): string {
  return join(home, "queue", "outbox");
}

export const NOT_RUNNING = "kavilo start is not running for this profile; start it to send messages";

export const outboxRequestSchema = z.object({
  channel: z.string().min(1),
  chatId: z.string().min(1),
  text: z.string(),
  threadId: z.string().min(1).optional(),
  createdAt: z.string(),
});

export const outboxResultSchema = z.object({ ok: z.boolean(), error: z.string().optional() });
export type OutboxResult = z.infer<typeof outboxResultSchema>;

/** Request file names: `<uuid>.json` (not results, not the atomic writer's dot-files). */
export const REQUEST_FILE = /^([0-9a-f-]{36})\.json$/;
export const requestPath = (dir: string, id: string) => join(dir, `${id}.json`);
export const claimedPath = (dir: string, id: string) => join(dir, `${id}.claimed`);
export const resultPath = (dir: string, id: string) => join(dir, `${id}.result.json`);

export interface SpoolSendOptions {
  dir: string;
  /** The profile's pid lock; nobody holding it means nobody will answer. */
  lockPath: string;
  timeoutMs?: number;
  /** Polling beside fs.watch, which can miss events (network file systems, some containers). */
  pollMs?: number;
}

/** Hands `msg` to the running `kavilo start` and waits for its answer. Throws one line on failure. */
export async function sendThroughOutbox(msg: OutboundMessage, opts: SpoolSendOptions): Promise<void> {
  if ((await liveHolder(opts.lockPath)) === undefined) throw new Error(NOT_RUNNING);
  const id = randomUUID();
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const request = { ...msg, createdAt: new Date().toISOString() };
  await mkdir(opts.dir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(requestPath(opts.dir, id), JSON.stringify(request), { mode: 0o600 });
  const result = await waitForResult(opts.dir, id, timeoutMs, opts.pollMs ?? 100);
  if (result === undefined) {
    // Taken back if start never claimed it; once claimed, start may still send it.
    const withdrawn = await rm(requestPath(opts.dir, id)).then(
      () => true,
      () => false,
    );
    throw new Error(
      withdrawn
        ? `kavilo start did not pick up the message within ${timeoutMs / 1000} s; not sent`
        : `kavilo start took the message but did not confirm within ${timeoutMs / 1000} s; it may still be sent`,
    );
  }
  if (!result.ok) throw new Error(result.error ?? "kavilo start could not send the message");
}

async function readResult(dir: string, id: string): Promise<OutboxResult | undefined> {
  let text: string;
  try {
    text = await readFile(resultPath(dir, id), "utf8");
  } catch {
    return undefined;
  }
  await rm(resultPath(dir, id), { force: true });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const result = outboxResultSchema.safeParse(parsed);
  return result.success
    ? result.data
    : { ok: false, error: "kavilo start answered with an unreadable result" };
}

function waitForResult(
  dir: string,
  id: string,
  timeoutMs: number,
  pollMs: number,
): Promise<OutboxResult | undefined> {
  return new Promise((resolve) => {
    let done = false;
    let watcher: FSWatcher | undefined;
    const finish = (r: OutboxResult | undefined) => {
      if (done) return;
      done = true;
      clearInterval(poll);
      clearTimeout(timer);
      watcher?.close();
      resolve(r);
    };
    const check = () => {
      void readResult(dir, id).then(
        (r) => r && finish(r),
        () => undefined,
      );
    };
    const poll = setInterval(check, pollMs);
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    try {
      watcher = watch(dir, (_event, name) => {
        if (name === `${id}.result.json`) check();
      });
      watcher.on("error", () => undefined);
    } catch {
      // polling alone then
    }
    check();
  });
}
