import { appendFile, mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import * as z from "zod";
import { writeFileAtomic } from "../../core/base/atomic-file.js";

export const HISTORY_CAP = 1000;

const entrySchema = z.string();

/**
 * The prompt history file: one JSON string per line, appended as the user sends, so several
 * sessions can share it. Loaded once at start; bad lines (e.g. a torn last write) are skipped.
 */
export async function loadHistory(file: string, cap = HISTORY_CAP): Promise<string[]> {
  let raw: string;
  try {
    raw = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const entries: string[] = [];
  const lines = raw.split("\n").filter((line) => line !== "");
  for (const line of lines) {
    try {
      const parsed = entrySchema.safeParse(JSON.parse(line));
      if (parsed.success) entries.push(parsed.data);
    } catch {
      // A line that is not JSON is skipped, not fatal.
    }
  }
  const kept = entries.slice(-cap);
  // Rewrite only when the file has grown well past the cap, so appends stay the common case.
  if (lines.length > cap * 2) {
    await writeFileAtomic(file, kept.map((e) => `${JSON.stringify(e)}\n`).join(""), { mode: 0o600 });
  }
  return kept;
}

export async function appendHistory(file: string, entry: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  // Prompts can be private: the file is created owner-only.
  await appendFile(file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
}

/** Walking the history with Up/Down; `index` null means the user is editing a fresh draft. */
export interface HistoryCursor {
  readonly entries: readonly string[];
  readonly index: number | null;
  readonly draft: string;
}

export function historyCursor(entries: readonly string[]): HistoryCursor {
  return { entries, index: null, draft: "" };
}

export function historyPrev(
  h: HistoryCursor,
  current: string,
): { cursor: HistoryCursor; text: string } | null {
  if (h.entries.length === 0 || h.index === 0) return null;
  const index = h.index === null ? h.entries.length - 1 : h.index - 1;
  const draft = h.index === null ? current : h.draft;
  return { cursor: { ...h, index, draft }, text: h.entries[index]! };
}

export function historyNext(h: HistoryCursor): { cursor: HistoryCursor; text: string } | null {
  if (h.index === null) return null;
  if (h.index >= h.entries.length - 1) return { cursor: { ...h, index: null }, text: h.draft };
  return { cursor: { ...h, index: h.index + 1 }, text: h.entries[h.index + 1]! };
}

/** Adds a sent input, skipping an immediate repeat, and resets the walk. */
export function historyPush(h: HistoryCursor, entry: string, cap = HISTORY_CAP): HistoryCursor {
  const entries = h.entries.at(-1) === entry ? h.entries : [...h.entries, entry].slice(-cap);
  return { entries, index: null, draft: "" };
}
