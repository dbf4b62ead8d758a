import { statfs } from "node:fs/promises";
import type { Check, DiagnosticsContext, Probe } from "./types.js";

/** The oldest Node kavilo runs on; bin/kavilo.js and package.json "engines" say the same. */
const MIN_NODE: readonly [number, number] = [22, 19];
const LOW_DISK_BYTES = 500 * 1024 * 1024;
const FULL_DISK_BYTES = 50 * 1024 * 1024;

export function nodeVersionCheck(version = process.versions.node): Check {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  const ok = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
  return ok
    ? { id: "system.node", area: "system", status: "ok", summary: `Node ${version}` }
    : {
        id: "system.node",
        area: "system",
        status: "fail",
        summary: `Node ${version} is older than ${MIN_NODE.join(".")}`,
        fix: "install a current Node LTS",
      };
}

function mb(bytes: number): string {
  return bytes >= 10 * 1024 ** 3
    ? `${Math.round(bytes / 1024 ** 3)} GB`
    : `${Math.round(bytes / 1024 ** 2)} MB`;
}

/** Free space on the disk that holds the profile home (sessions, logs and media grow there). */
export async function diskSpaceCheck(home: string, fsStat: typeof statfs = statfs): Promise<Check> {
  let dir = home;
  let s: Awaited<ReturnType<typeof statfs>> | undefined;
  // The home may not exist yet: measure the nearest folder that does.
  for (let i = 0; i < 50 && !s; i++) {
    try {
      s = await fsStat(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      const parent = dir.replace(/\/[^/]*\/?$/, "") || "/";
      if (parent === dir) throw err;
      dir = parent;
    }
  }
  if (!s) return { id: "system.disk", area: "system", status: "skip", summary: "no folder to measure" };
  const free = Number(s.bavail) * Number(s.bsize);
  const status = free < FULL_DISK_BYTES ? "fail" : free < LOW_DISK_BYTES ? "warn" : "ok";
  return {
    id: "system.disk",
    area: "system",
    status,
    summary: `${mb(free)} free on the disk of ${home}`,
    ...(status === "ok" ? {} : { fix: "free some space: old logs/, media/ and sessions/archive/ can go" }),
  };
}

export function systemProbes(ctx: DiagnosticsContext): Probe[] {
  return [
    { id: "system.node", area: "system", network: false, run: async () => nodeVersionCheck() },
    { id: "system.disk", area: "system", network: false, run: () => diskSpaceCheck(ctx.basePaths.home) },
  ];
}
