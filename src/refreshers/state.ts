import { join } from "node:path";
import * as z from "zod";
import { readJsonFile, writeJsonAtomic } from "../core/base/atomic-file.js";
import type { RefreshResult } from "./types.js";

/** What `status`, the `kavilo_status` tool and `doctor` show about one refresher. No token, ever. */
export interface RefresherTargetState {
  target: string;
  result: RefreshResult;
  reason?: string;
  expiresAt?: string;
  /** When this target was last refreshed (by this runner), ISO. */
  lastRefreshAt?: string;
  /** When this target was last looked at, ISO. */
  checkedAt: string;
}

export interface RefresherState {
  name: string;
  enabled: boolean;
  /** Why it is off. */
  reason?: string;
  intervalS: number;
  lastTickAt?: string;
  nextTickAt?: string;
  targets: RefresherTargetState[];
}

/** The file `kavilo start` keeps so that `status` in another process can show the refreshers. */
export interface RefresherStateFile {
  pid: number;
  updatedAt: string;
  refreshers: RefresherState[];
}

const targetSchema = z.object({
  target: z.string(),
  result: z.enum(["refreshed", "fresh", "adopted", "skipped", "failed"]),
  reason: z.string().optional(),
  expiresAt: z.string().optional(),
  lastRefreshAt: z.string().optional(),
  checkedAt: z.string(),
});

const fileSchema = z.object({
  pid: z.number(),
  updatedAt: z.string(),
  refreshers: z.array(
    z.object({
      name: z.string(),
      enabled: z.boolean(),
      reason: z.string().optional(),
      intervalS: z.number(),
      lastTickAt: z.string().optional(),
      nextTickAt: z.string().optional(),
      targets: z.array(targetSchema),
    }),
  ),
});

/** `<home>/refreshers.json`. */
export function refresherStatePath(home: string): string {
  return join(home, "refreshers.json");
}

export async function writeRefresherState(path: string, state: RefresherStateFile): Promise<void> {
  await writeJsonAtomic(path, state, { mode: 0o600 });
}

/** The last state `kavilo start` wrote; undefined when there is none or it cannot be read. */
export async function readRefresherState(path: string): Promise<RefresherStateFile | undefined> {
  try {
    const parsed = fileSchema.safeParse(await readJsonFile(path));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
