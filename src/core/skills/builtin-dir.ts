import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | null | undefined;

/**
 * The folder of the skills shipped with kavilo (`skills/` at the package root, beside `dist/` and
 * `src/`). Found by walking up from this module, which sits at a different depth in src/ (tests) and
 * in the bundled dist/. Undefined when kavilo runs without it (the single-file binary).
 */
export function builtinSkillsDir(): string | undefined {
  if (cached !== undefined) return cached ?? undefined;
  cached = null;
  const url = import.meta.url as string | undefined;
  if (!url?.startsWith("file:")) return undefined;
  let dir = dirname(fileURLToPath(url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, "skills");
    if (existsSync(join(candidate, "skill-creator", "SKILL.md")) && existsSync(join(dir, "package.json"))) {
      cached = candidate;
      return candidate;
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}
