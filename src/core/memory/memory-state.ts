import { readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../base/atomic-file.js";
import { withFileMutex } from "../base/file-lock.js";
import { sessionFileName } from "../session/session-store.js";

/** A session's side record: how far it is consolidated, and how the provider counts its tokens. */
export interface MemoryState {
  /** Messages of the session file [0, consolidated) are in MEMORY.md/HISTORY.md (or were dropped). */
  consolidated: number;
  /** The session file's message count when `consolidated` was written (detects a replaced file). */
  messages: number;
  /** Provider-reported input tokens ÷ kavilo's estimate, from the session's last request. */
  calibration?: number;
}

/** An absent count is 0; anything but a whole number ≥ 0 makes the record unusable. */
function count(value: unknown): number | undefined {
  if (value === undefined) return 0;
  return Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : undefined;
}

/**
 * The record as written by writeState, else undefined (a damaged record starts over). Read at every
 * step of every turn: three fields checked by hand, no schema library on the one-shot path.
 */
export function parseState(value: unknown): MemoryState | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const consolidated = count(v.consolidated);
  const messages = count(v.messages);
  const { calibration } = v;
  if (consolidated === undefined || messages === undefined) return undefined;
  if (calibration === undefined) return { consolidated, messages };
  if (typeof calibration !== "number" || !Number.isFinite(calibration) || calibration <= 0) return undefined;
  return { consolidated, messages, calibration };
}

export function stateFile(sessionsDir: string, key: string): string {
  return join(sessionsDir, sessionFileName(key).replace(/\.jsonl$/, ".memory.json"));
}

/** Read every step of every turn: parsed once, then re-read only when the file changed (a stat). */
const cache = new Map<string, { stamp: string; state: MemoryState }>();

async function stampOf(file: string): Promise<string | undefined> {
  const s = await stat(file).catch(() => undefined);
  return s ? `${s.mtimeMs}:${s.size}:${s.ino}` : undefined;
}

/** Held (a pid lock) by the process consolidating the session. */
export function lockFile(sessionsDir: string, key: string): string {
  return join(sessionsDir, sessionFileName(key).replace(/\.jsonl$/, ".memory.lock"));
}

export async function readState(sessionsDir: string, key: string): Promise<MemoryState> {
  const file = stateFile(sessionsDir, key);
  const stamp = await stampOf(file);
  const hit = cache.get(file);
  if (stamp && hit?.stamp === stamp) return { ...hit.state };
  let state: MemoryState = { consolidated: 0, messages: 0 };
  try {
    state = parseState(JSON.parse(await readFile(file, "utf8"))) ?? state;
  } catch {
    // missing or damaged: start over (at worst a stretch is summarized again)
  }
  if (stamp) cache.set(file, { stamp, state });
  return { ...state };
}

export async function writeState(sessionsDir: string, key: string, state: MemoryState): Promise<void> {
  const file = stateFile(sessionsDir, key);
  await writeFileAtomic(file, `${JSON.stringify(state)}\n`, { mode: 0o600 });
  const stamp = await stampOf(file);
  if (stamp) cache.set(file, { stamp, state: { ...state } });
}

/**
 * Read-modify-write of the record under a mutex between processes (kavilo start and a one-shot on
 * the same session): a calibration written by one never undoes how far the other consolidated.
 * `change` returns the new record, or undefined to leave it as it is.
 */
export async function updateState(
  sessionsDir: string,
  key: string,
  change: (state: MemoryState) => MemoryState | undefined,
): Promise<void> {
  const file = stateFile(sessionsDir, key);
  await withFileMutex(`${file}.lock`, async () => {
    const next = change(await readState(sessionsDir, key));
    if (next) await writeState(sessionsDir, key, next);
  });
}

/** After /new: the session file was archived, so its side record goes too. */
export async function clearState(sessionsDir: string, key: string): Promise<void> {
  cache.delete(stateFile(sessionsDir, key));
  await rm(stateFile(sessionsDir, key), { force: true });
}
