import { type FSWatcher, watch } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../base/atomic-file.js";
import { redactString } from "../base/redact.js";
import {
  claimedPath,
  type OutboxResult,
  outboxRequestSchema,
  REQUEST_FILE,
  requestPath,
  resultPath,
} from "./outbox-spool.js";
import type { OutboundMessage } from "./types.js";

export interface OutboxWatcherOptions {
  dir: string;
  send: (msg: OutboundMessage) => Promise<void>;
  log: { info(msg: string): void; warn(msg: string): void };
  /** The scan that catches what fs.watch missed. */
  scanMs?: number;
  /** Requests and results older than this have nobody waiting for them any more. */
  maxAgeMs?: number;
  now?: () => number;
}

export interface OutboxWatcher {
  stop(): Promise<void>;
}

function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return redactString(text.split("\n")[0] ?? "").slice(0, 500);
}

/**
 * The `kavilo start` side of the outbox spool: each request is claimed (renamed, so only one
 * process sends it), sent through the running channels, and answered with a result file.
 */
export async function watchOutbox(opts: OutboxWatcherOptions): Promise<OutboxWatcher> {
  const { dir, send, log } = opts;
  const maxAgeMs = opts.maxAgeMs ?? 60_000;
  const now = opts.now ?? Date.now;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  let stopped = false;
  let scanning: Promise<void> | undefined;
  let again = false;

  async function handle(id: string): Promise<void> {
    const claimed = claimedPath(dir, id);
    try {
      await rename(requestPath(dir, id), claimed);
    } catch {
      return; // withdrawn by its sender, or already taken
    }
    let result: OutboxResult;
    try {
      const req = outboxRequestSchema.parse(JSON.parse(await readFile(claimed, "utf8")));
      if (now() - Date.parse(req.createdAt) > maxAgeMs)
        throw new Error("the request expired before it was sent");
      await send({
        channel: req.channel,
        chatId: req.chatId,
        text: req.text,
        ...(req.threadId ? { threadId: req.threadId } : {}),
      });
      log.info(`outbox: sent a message to ${req.channel}:${req.chatId}`);
      result = { ok: true };
    } catch (err) {
      log.warn(`outbox: a message was not sent: ${oneLine(err)}`);
      result = { ok: false, error: oneLine(err) };
    }
    // The claim becomes the result: one rename, so the sender never sees the result while the
    // claim is still there.
    await writeFileAtomic(claimed, JSON.stringify(result), { mode: 0o600 });
    await rename(claimed, resultPath(dir, id));
  }

  async function sweep(name: string): Promise<void> {
    if (!/\.(result\.json|claimed)$/.test(name)) return;
    const info = await stat(join(dir, name)).catch(() => undefined);
    if (info && now() - info.mtimeMs > maxAgeMs) await rm(join(dir, name), { force: true });
  }

  async function scanOnce(): Promise<void> {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      if (stopped) return;
      const id = REQUEST_FILE.exec(name)?.[1];
      if (id) await handle(id).catch((err) => log.warn(`outbox: ${oneLine(err)}`));
      else await sweep(name).catch(() => undefined);
    }
  }

  // One scan at a time; an event during a scan asks for one more.
  function scan(): void {
    if (stopped) return;
    if (scanning) {
      again = true;
      return;
    }
    scanning = scanOnce().finally(() => {
      scanning = undefined;
      if (again) {
        again = false;
        scan();
      }
    });
  }

  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, () => scan());
    watcher.on("error", () => undefined);
  } catch {
    // the periodic scan alone
  }
  const timer = setInterval(scan, opts.scanMs ?? 1000);
  timer.unref();
  scan();

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      watcher?.close();
      await scanning;
    },
  };
}
