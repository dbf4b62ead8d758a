import { appendFile, mkdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../base/atomic-file.js";

/** Long-term facts, always in the prompt. */
export function memoryFile(workspace: string): string {
  return join(workspace, "MEMORY.md");
}

/** The append-only log of dated summaries; searched by the agent, never loaded whole. */
export function historyFile(workspace: string): string {
  return join(workspace, "memory", "HISTORY.md");
}

export async function readMemory(workspace: string): Promise<string> {
  try {
    return await readFile(memoryFile(workspace), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw err;
  }
}

/** Appends one entry (a paragraph) to HISTORY.md, separated from the previous one by a blank line. */
export async function appendHistory(workspace: string, entry: string): Promise<void> {
  const file = historyFile(workspace);
  await mkdir(dirname(file), { recursive: true });
  await appendFile(file, `${entry.trim()}\n\n`, { mode: 0o600 });
}

/** Rewrites MEMORY.md atomically, and only when the content changed; returns whether it wrote. */
export async function writeMemoryIfChanged(
  workspace: string,
  before: string,
  after: string,
): Promise<boolean> {
  const next = after.endsWith("\n") ? after : `${after}\n`;
  if (after.trim() === before.trim()) return false;
  await writeFileAtomic(memoryFile(workspace), next);
  return true;
}

/** `[YYYY-MM-DD HH:MM]` of a moment, in the given IANA zone (else the system's). */
export function stamp(now: Date, timezone?: string): string {
  if (timezone) {
    const parts = new Intl.DateTimeFormat("en-CA", {
      timeZone: timezone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).formatToParts(now);
    const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "00";
    return `[${get("year")}-${get("month")}-${get("day")} ${get("hour")}:${get("minute")}]`;
  }
  const pad = (n: number) => String(n).padStart(2, "0");
  return `[${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} ${pad(now.getHours())}:${pad(now.getMinutes())}]`;
}
