import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** What a skill needs before it can work, read from its frontmatter's metadata. */
export interface SkillRequirements {
  bins: string[];
  env: string[];
  os: string[];
  always: boolean;
}

/** The namespaces whose gating keys kavilo reads, in this order (nanobot and OpenClaw skills work as is). */
const NAMESPACES = ["kavilo", "nanobot", "openclaw"] as const;

function asObject(value: unknown): Record<string, unknown> | undefined {
  if (typeof value === "string") {
    try {
      return asObject(JSON.parse(value) as unknown);
    } catch {
      return undefined;
    }
  }
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function strings(value: unknown): string[] {
  if (typeof value === "string") return value ? [value] : [];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string" && v !== "") : [];
}

/**
 * Reads gating from `metadata.kavilo`, else `metadata.nanobot`, else `metadata.openclaw`; `metadata`
 * itself and each namespace may be an object or a JSON string (nanobot writes a one-line JSON).
 */
export function readRequirements(metadata: unknown, topLevelAlways?: unknown): SkillRequirements {
  const meta = asObject(metadata) ?? {};
  let ns: Record<string, unknown> = {};
  for (const key of NAMESPACES) {
    const found = asObject(meta[key]);
    if (found) {
      ns = found;
      break;
    }
  }
  const requires = asObject(ns.requires) ?? {};
  return {
    bins: strings(requires.bins),
    env: strings(requires.env),
    os: strings(ns.os),
    always: ns.always === true || topLevelAlways === true,
  };
}

/** Whether an executable of this name is on PATH (with PATHEXT on Windows). */
export function onPath(bin: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const dirs = (env.PATH ?? "").split(delimiter).filter(Boolean);
  const exts = process.platform === "win32" ? (env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";") : [""];
  for (const dir of dirs) {
    for (const ext of exts) {
      try {
        accessSync(join(dir, bin + ext), constants.X_OK);
        return true;
      } catch {
        // not here
      }
    }
  }
  return false;
}

/** Why the skill cannot be used here (missing binaries, env, another OS), or undefined if it can. */
export function unmetReason(
  req: SkillRequirements,
  env: NodeJS.ProcessEnv = process.env,
  platform: string = process.platform,
): string | undefined {
  const reasons: string[] = [];
  const bins = req.bins.filter((b) => !onPath(b, env));
  if (bins.length) reasons.push(`missing on PATH: ${bins.join(", ")}`);
  const vars = req.env.filter((v) => !env[v]);
  if (vars.length) reasons.push(`missing env: ${vars.join(", ")}`);
  if (req.os.length && !req.os.includes(platform))
    reasons.push(`only on ${req.os.join(", ")} (this is ${platform})`);
  return reasons.length ? reasons.join("; ") : undefined;
}
