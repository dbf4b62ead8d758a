import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import * as z from "zod";
import { writeFileAtomic } from "../base/atomic-file.js";
import { sessionFileName } from "../session/session-store.js";

/** A session's side record: how far it is consolidated, and how the provider counts its tokens. */
const stateSchema = z.object({
  /** Messages of the session file [0, consolidated) are in MEMORY.md/HISTORY.md (or were dropped). */
  consolidated: z.number().int().nonnegative().default(0),
  /** The session file's message count when `consolidated` was written (detects a replaced file). */
  messages: z.number().int().nonnegative().default(0),
  /** Provider-reported input tokens ÷ kavilo's estimate, from the session's last request. */
  calibration: z.number().positive().optional(),
});

export type MemoryState = z.infer<typeof stateSchema>;

export function stateFile(sessionsDir: string, key: string): string {
  return join(sessionsDir, sessionFileName(key).replace(/\.jsonl$/, ".memory.json"));
}

export async function readState(sessionsDir: string, key: string): Promise<MemoryState> {
  try {
    const parsed = stateSchema.safeParse(JSON.parse(await readFile(stateFile(sessionsDir, key), "utf8")));
    if (parsed.success) return parsed.data;
  } catch {
    // missing or damaged: start over (at worst a stretch is summarized again)
  }
  return { consolidated: 0, messages: 0 };
}

export async function writeState(sessionsDir: string, key: string, state: MemoryState): Promise<void> {
  await writeFileAtomic(stateFile(sessionsDir, key), `${JSON.stringify(state)}\n`, { mode: 0o600 });
}

/** After /new: the session file was archived, so its side record goes too. */
export async function clearState(sessionsDir: string, key: string): Promise<void> {
  await rm(stateFile(sessionsDir, key), { force: true });
}
