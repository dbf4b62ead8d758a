import { existsSync } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { liveHolder } from "../core/base/file-lock.js";
import type { Paths } from "../core/base/paths.js";
import { WORKSPACE_TEMPLATES } from "../core/templates.js";
import type { Check, DiagnosticsContext, Probe } from "./types.js";

/** A mode as `chmod` takes it: 0600. */
export const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;

/** Files and folders that hold secrets, and the modes they must not exceed. */
async function secretEntries(paths: Paths): Promise<Array<{ path: string; mode: number }>> {
  const out: Array<{ path: string; mode: number }> = [];
  if (existsSync(paths.config)) out.push({ path: paths.config, mode: 0o600 });
  const walk = async (dir: string, depth: number): Promise<void> => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
      throw err;
    }
    out.push({ path: dir, mode: 0o700 });
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory() && depth < 3) await walk(p, depth + 1);
      else if (e.isFile()) out.push({ path: p, mode: 0o600 });
    }
  };
  await walk(paths.mcpAuth, 0);
  await walk(paths.auth, 0);
  return out;
}

/** A secret file or folder others can read is a warning each, with a chmod `doctor --fix` can do. */
export async function fileModeChecks(paths: Paths): Promise<Check[]> {
  const checks: Check[] = [];
  const home = await stat(paths.home).catch(() => undefined);
  if (home && (home.mode & 0o022) !== 0) {
    const mode = home.mode & 0o755;
    checks.push({
      id: "home.mode",
      area: "home",
      status: "warn",
      summary: `${paths.home} is writable by others (${octal(home.mode)})`,
      fix: `chmod ${octal(mode)} ${paths.home} (kavilo doctor --fix does it)`,
      repair: { kind: "chmod", path: paths.home, mode },
    });
  }
  let looked = 0;
  for (const entry of await secretEntries(paths)) {
    const st = await stat(entry.path).catch(() => undefined);
    if (!st) continue;
    looked++;
    if ((st.mode & 0o777 & ~entry.mode) === 0) continue;
    checks.push({
      id: `home.mode:${entry.path}`,
      area: "home",
      status: "warn",
      summary: `${entry.path} is ${octal(st.mode)}; it holds secrets and should be ${octal(entry.mode)}`,
      fix: `chmod ${octal(entry.mode)} ${entry.path} (kavilo doctor --fix does it)`,
      repair: { kind: "chmod", path: entry.path, mode: entry.mode },
    });
  }
  if (checks.length === 0) {
    checks.push({
      id: "home.modes",
      area: "home",
      status: "ok",
      summary: looked ? `${looked} secret files and folders are private` : "no secret files yet",
    });
  }
  return checks;
}

/** The pid lock of `kavilo start`: free, held by a live process, or stale (its holder is gone). */
export async function lockCheck(lockPath: string): Promise<Check> {
  let text: string;
  try {
    text = await readFile(lockPath, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    return { id: "home.lock", area: "home", status: "ok", summary: "kavilo start is not running (no lock)" };
  }
  const live = await liveHolder(lockPath);
  if (live) {
    return {
      id: "home.lock",
      area: "home",
      status: "ok",
      summary: `kavilo start is running (pid ${live.pid}, since ${live.startedAt})`,
    };
  }
  let pid: number | null = null;
  try {
    const parsed = JSON.parse(text) as { pid?: unknown };
    if (typeof parsed.pid === "number") pid = parsed.pid;
  } catch {
    // torn: stale all the same
  }
  return {
    id: "home.lock",
    area: "home",
    status: "warn",
    summary: `stale lock ${lockPath}${pid !== null ? ` (pid ${pid} is gone)` : " (unreadable)"}`,
    fix: "kavilo doctor --fix removes it (kavilo start also takes a stale lock over)",
    repair: { kind: "stale-lock", path: lockPath, pid },
  };
}

/** The workspace and the template files `kavilo onboard` puts in it. */
export function workspaceCheck(workspace: string): Check {
  if (!existsSync(workspace)) {
    return {
      id: "home.workspace",
      area: "home",
      status: "warn",
      summary: `workspace ${workspace} is missing`,
      fix: "kavilo doctor --fix (or kavilo onboard) creates it with its templates",
      repair: { kind: "workspace", dir: workspace, missing: Object.keys(WORKSPACE_TEMPLATES) },
      data: { path: workspace, exists: false },
    };
  }
  const missing = Object.keys(WORKSPACE_TEMPLATES).filter((f) => !existsSync(join(workspace, f)));
  if (missing.length === 0) {
    return {
      id: "home.workspace",
      area: "home",
      status: "ok",
      summary: `workspace ${workspace}`,
      data: { path: workspace, exists: true },
    };
  }
  return {
    id: "home.workspace",
    area: "home",
    status: "warn",
    summary: `workspace ${workspace} lacks ${missing.join(", ")}`,
    fix: "kavilo doctor --fix creates the missing templates (existing files are kept)",
    repair: { kind: "workspace", dir: workspace, missing },
    data: { path: workspace, exists: true },
  };
}

export function homeProbes(ctx: DiagnosticsContext): Probe[] {
  const workspace = () => {
    try {
      return ctx.config().paths.workspace;
    } catch {
      return ctx.basePaths.workspace;
    }
  };
  return [
    { id: "home.modes", area: "home", network: false, run: () => fileModeChecks(ctx.basePaths) },
    { id: "home.lock", area: "home", network: false, run: () => lockCheck(ctx.basePaths.lock) },
    { id: "home.workspace", area: "home", network: false, run: async () => workspaceCheck(workspace()) },
  ];
}
