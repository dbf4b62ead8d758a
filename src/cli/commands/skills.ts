import { existsSync, realpathSync } from "node:fs";
import { discoverSkills } from "../../core/skills/discover.js";
import type { CliContext } from "../context.js";

/** `kavilo skills list [--json]`: every skill the agent sees, where it comes from, and whether it can run. */
export async function list(ctx: CliContext, opts: { json?: boolean } = {}): Promise<number> {
  const { paths } = ctx.config();
  const workspace = existsSync(paths.workspace) ? realpathSync(paths.workspace) : paths.workspace;
  const { skills, warnings } = await discoverSkills({ workspace });
  if (opts.json) {
    const rows = skills.map((s) => ({
      name: s.name,
      description: s.description,
      source: s.source,
      available: s.available,
      ...(s.reason ? { reason: s.reason } : {}),
      always: s.always,
      path: s.path,
    }));
    process.stdout.write(`${JSON.stringify({ skills: rows, warnings }, null, 2)}\n`);
    return 0;
  }
  if (skills.length === 0) {
    process.stdout.write(`no skills (add one as ${paths.workspace}/skills/<name>/SKILL.md)\n`);
  }
  const width = Math.max(4, ...skills.map((s) => s.name.length));
  for (const s of skills) {
    const state = s.available ? (s.always ? "always" : "available") : `unavailable: ${s.reason}`;
    process.stdout.write(`${s.name.padEnd(width)}  ${s.source.padEnd(9)}  ${state}\n`);
  }
  for (const w of warnings) ctx.warn(w);
  return 0;
}
