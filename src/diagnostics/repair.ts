import { chmod, copyFile, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { writeJsonAtomic } from "../core/base/atomic-file.js";
import { liveHolder } from "../core/base/file-lock.js";
import { WORKSPACE_TEMPLATES } from "../core/templates.js";
import { octal } from "./home.js";
import type { Repair } from "./types.js";

function stamp(now: Date): string {
  return now.toISOString().replace(/[:.]/g, "-");
}

const ORDER: Record<Repair["kind"], number> = {
  chmod: 0,
  "stale-lock": 1,
  workspace: 2,
  "migrate-config": 3,
};

/** Modes first: a config migration then rewrites an already private file. */
export function repairOrder(a: Repair, b: Repair): number {
  return ORDER[a.kind] - ORDER[b.kind];
}

/**
 * Makes one safe, reversible repair and says what changed, in one line. Each re-checks what it
 * found first, so a repair never acts on a state that changed since the check (a lock taken over
 * by a new `kavilo start`, a template the user wrote meanwhile).
 */
export async function applyRepair(repair: Repair, now = new Date()): Promise<string> {
  switch (repair.kind) {
    case "chmod": {
      const before = (await stat(repair.path)).mode & 0o777;
      await chmod(repair.path, repair.mode);
      return `chmod ${octal(repair.mode)} ${repair.path} (was ${octal(before)})`;
    }
    case "workspace": {
      await mkdir(repair.dir, { recursive: true });
      const made: string[] = [];
      for (const name of repair.missing) {
        const content = WORKSPACE_TEMPLATES[name];
        if (content === undefined) continue;
        const file = join(repair.dir, name);
        try {
          await mkdir(dirname(file), { recursive: true });
          await writeFile(file, content, { flag: "wx" });
          made.push(name);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
        }
      }
      return `created ${repair.dir}${made.length ? ` with ${made.join(", ")}` : ""}`;
    }
    case "stale-lock": {
      const text = await readFile(repair.path, "utf8").catch(() => undefined);
      if (text === undefined) return `${repair.path} was already gone`;
      if (await liveHolder(repair.path)) return `left ${repair.path}: a live kavilo start holds it now`;
      await rm(repair.path, { force: true });
      return `removed the stale lock ${repair.path}${repair.pid !== null ? ` (pid ${repair.pid} was gone)` : ""}`;
    }
    case "migrate-config": {
      const backup = `${repair.path}.bak-${stamp(now)}`;
      await copyFile(repair.path, backup);
      await chmod(backup, 0o600);
      await writeJsonAtomic(repair.path, repair.cleaned, { mode: 0o600 });
      return `removed the unknown keys from ${repair.path} (the old file is ${backup})`;
    }
  }
}
