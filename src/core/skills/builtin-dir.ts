import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | null | undefined;

/**
 * The folder of the skills shipped with kavilo: `skills/` at the package root (beside `dist/` and
 * `src/`), or, in the single-file binary, a copy of the ones embedded in it. Undefined when neither
 * exists.
 */
export function builtinSkillsDir(): string | undefined {
  if (cached === undefined) cached = fromPackage() ?? fromSea() ?? null;
  return cached ?? undefined;
}

/** Walks up from this module, which sits at a different depth in src/ (tests) and in the bundled dist/. */
function fromPackage(): string | undefined {
  const url = import.meta.url as string | undefined;
  if (!url?.startsWith("file:")) return undefined;
  let dir = dirname(fileURLToPath(url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, "skills");
    if (existsSync(join(candidate, "skill-creator", "SKILL.md")) && existsSync(join(dir, "package.json")))
      return candidate;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

/** The asset that lists the embedded skill files (scripts/build-binary.mjs writes it). */
export const SEA_SKILLS_INDEX = "skills/index.json";

/**
 * The binary carries its skills as SEA assets. The model reads a skill with read_file, so they are
 * written out once per content under the profile home (`builtin-skills/<hash>/`), complete or not at
 * all (a temp folder renamed into place).
 */
function fromSea(): string | undefined {
  const sea = process.getBuiltinModule("node:sea") as typeof import("node:sea") | undefined;
  if (!sea?.isSea()) return undefined;
  let files: string[];
  try {
    files = JSON.parse(sea.getAsset(SEA_SKILLS_INDEX, "utf8")) as string[];
  } catch {
    return undefined;
  }
  const contents = files.map((f) => [f, sea.getAsset(f, "utf8")] as const);
  const { createHash } = process.getBuiltinModule("node:crypto");
  const hash = createHash("sha256").update(JSON.stringify(contents)).digest("hex").slice(0, 12);
  const home = process.env.KAVILO_HOME || join(homedir(), ".kavilo");
  const dir = join(home, "builtin-skills", hash);
  if (existsSync(dir)) return dir;
  const tmp = `${dir}.${process.pid}.tmp`;
  try {
    for (const [file, text] of contents) {
      // Keys are "skills/<name>/SKILL.md"; the folder holds "<name>/SKILL.md".
      const target = join(tmp, file.replace(/^skills\//, ""));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, text);
    }
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(dir)) return undefined; // another process may have won the rename
  }
  return dir;
}
