import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface SavedMessage {
  role: string;
  content: unknown;
}

/** The messages saved in the session file of `sessionsDir` that `pick` names (the first `.jsonl` by default). */
export function savedMessages(
  sessionsDir: string,
  pick: (file: string) => boolean = (f) => f.endsWith(".jsonl"),
): SavedMessage[] {
  const file = readdirSync(sessionsDir).find(pick);
  if (!file) throw new Error(`no session file in ${sessionsDir}`);
  return readFileSync(join(sessionsDir, file), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { type: string; message?: SavedMessage })
    .flatMap((r) => (r.type === "message" && r.message ? [r.message] : []));
}
