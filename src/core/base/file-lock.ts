import { mkdirSync } from "node:fs";
import { link, open, readFile, rm, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { processStartToken } from "./process-identity.js";

export interface LockHolder {
  pid: number;
  startedAt: string;
  /** The holder's process start token (processStartToken): tells a reused pid from the holder. */
  proc?: string;
}

export class LockHeldError extends Error {
  constructor(
    readonly path: string,
    readonly holder: LockHolder,
    /** False when kavilo could not check that the live pid is the process that took the lock. */
    readonly verified: boolean,
  ) {
    super(`${path} is held by pid ${holder.pid}`);
    this.name = "LockHeldError";
  }
}

/** Whether a process with this pid exists (EPERM: it does, as another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function readHolder(path: string): Promise<LockHolder | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, "utf8")) as Partial<LockHolder>;
    if (typeof parsed.pid === "number") {
      return {
        pid: parsed.pid,
        startedAt: String(parsed.startedAt ?? ""),
        ...(typeof parsed.proc === "string" ? { proc: parsed.proc } : {}),
      };
    }
  } catch {
    // unreadable or torn: treated as stale
  }
  return undefined;
}

/**
 * Whether the holder still holds the lock: its pid is alive and is the same process (same start
 * token). "unknown" when the pid is alive but that cannot be checked (a lock written before tokens
 * were recorded, or no /proc and no ps).
 */
function holderState(holder: LockHolder): "live" | "stale" | "unknown" {
  if (holder.pid === process.pid || !isAlive(holder.pid)) return "stale";
  if (!holder.proc) return "unknown";
  const now = processStartToken(holder.pid);
  if (now === undefined) return "unknown";
  // The pid was reused (after a reboot, say) by a process that is not the one that took the lock.
  return now === holder.proc ? "live" : "stale";
}

/** The holder of the lock if it is another process that is alive (or may be: see holderState). */
export async function liveHolder(path: string): Promise<LockHolder | undefined> {
  const holder = await readHolder(path);
  if (holder && holderState(holder) !== "stale") return holder;
  return undefined;
}

/**
 * A pid lock file. Taken with O_EXCL; a lock whose holder is dead (or whose file is torn) is stale
 * and is taken over. Two processes that find the same stale lock race through a second O_EXCL file,
 * so only one of them removes it: neither can delete the other's fresh lock. Returns a release function.
 */
export async function acquirePidLock(path: string): Promise<() => Promise<void>> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const takeover = `${path}.takeover`;
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      // Written aside and linked into place: the lock file is never seen empty, and link() fails if
      // the lock exists, like O_EXCL.
      const proc = processStartToken(process.pid);
      const me: LockHolder = {
        pid: process.pid,
        startedAt: new Date().toISOString(),
        ...(proc ? { proc } : {}),
      };
      const mine = `${path}.${process.pid}.tmp`;
      await writeFile(mine, JSON.stringify(me), { mode: 0o600 });
      try {
        await link(mine, path);
      } finally {
        await rm(mine, { force: true });
      }
      return async () => {
        const holder = await readHolder(path);
        if (holder?.pid === process.pid) await rm(path, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const holder = await readHolder(path);
    const state = holder ? holderState(holder) : "stale";
    if (holder && state !== "stale") throw new LockHeldError(path, holder, state === "live");
    try {
      const t = await open(takeover, "wx", 0o600);
      await t.close();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      // Someone else is taking it over (or crashed doing so: a takeover older than 10 s is void).
      const info = await stat(takeover).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs > 10_000) await rm(takeover, { force: true });
      await new Promise((r) => setTimeout(r, 20));
      continue;
    }
    try {
      // Checked again under the takeover file: the lock may have been released and taken just
      // before. Only the very file judged stale (same inode) is removed; a missing lock is left for
      // the next attempt to link.
      const before = await stat(path).catch(() => undefined);
      if (before) {
        const holder = await readHolder(path);
        const stale = !holder || holderState(holder) === "stale";
        const after = await stat(path).catch(() => undefined);
        if (stale && after && after.ino === before.ino) await rm(path, { force: true });
      }
    } finally {
      await rm(takeover, { force: true });
    }
  }
  throw new Error(`could not take the lock ${path}`);
}

/**
 * A short-lived mutex between processes (for token refresh): spins on an O_EXCL file,
 * breaking it when older than `staleMs`.
 */
export async function withFileMutex<T>(
  path: string,
  fn: () => Promise<T>,
  { staleMs = 30_000, timeoutMs = 60_000 } = {},
): Promise<T> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(path, "wx", 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const info = await stat(path).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs > staleMs) {
        await rm(path, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for lock ${path}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(path, { force: true });
  }
}
