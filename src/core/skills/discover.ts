import type { Dirent } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { builtinSkillsDir } from "./builtin-dir.js";
import { frontmatterBlock } from "./frontmatter.js";
import { parseSimpleYaml } from "./simple-yaml.js";
import { parseSkill, type Skill, type SkillSource } from "./skill-file.js";

export interface SkillSet {
  /** Workspace skills first, then built-ins; a workspace skill hides the built-in of the same name. */
  skills: Skill[];
  /** One line per problem: a skill that could not be read, a name that breaks the format. */
  warnings: string[];
}

export interface DiscoverOptions {
  workspace: string;
  /** Default: the skills shipped with kavilo; null for none. */
  builtinDir?: string | null;
  env?: NodeJS.ProcessEnv;
}

type YamlParse = (source: string) => unknown;
let yamlParse: Promise<YamlParse> | undefined;

function loadYaml(): Promise<YamlParse> {
  // yaml's Node entry is CommonJS: bundled, its functions sit on the default export.
  yamlParse ??= import("yaml").then((m) => m.parse ?? (m as unknown as { default: typeof m }).default.parse);
  return yamlParse;
}

async function skillFolders(root: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isDirectory() || e.isSymbolicLink())
    .map((e) => e.name)
    .filter((n) => !n.startsWith("."))
    .sort();
}

async function readSource(root: string, source: SkillSource, env: NodeJS.ProcessEnv): Promise<SkillSet> {
  const out: SkillSet = { skills: [], warnings: [] };
  const folders = await skillFolders(root);
  if (folders.length === 0) return out;
  const texts = await Promise.all(
    folders.map((f) => readFile(join(root, f, "SKILL.md"), "utf8").catch(() => undefined)),
  );
  // The YAML parser loads only for a frontmatter the simple reading cannot take exactly. Each block
  // is read the simple way once: here, and the result is what `parse` gives for it below.
  const simple = new Map<string, Record<string, unknown> | undefined>();
  for (const text of texts) {
    const block = text === undefined ? undefined : frontmatterBlock(text);
    if (block !== undefined && !simple.has(block)) simple.set(block, parseSimpleYaml(block));
  }
  const yaml = [...simple.values()].includes(undefined) ? await loadYaml() : undefined;
  const parse: YamlParse = (src: string) =>
    (simple.has(src) ? simple.get(src) : parseSimpleYaml(src)) ?? yaml?.(src);
  folders.forEach((folder, i) => {
    const content = texts[i];
    if (content === undefined) return; // a folder without SKILL.md is not a skill
    const { skill, error } = parseSkill(
      content,
      { folder, path: join(root, folder, "SKILL.md"), source },
      parse,
      env,
    );
    if (error) out.warnings.push(error);
    if (skill) {
      out.skills.push(skill);
      out.warnings.push(...skill.warnings);
    }
  });
  return out;
}

/** Reads every skill now (no cache): `kavilo skills list` and the cache below use it. */
export async function discoverSkills(opts: DiscoverOptions): Promise<SkillSet> {
  const env = opts.env ?? process.env;
  const builtin = opts.builtinDir === undefined ? builtinSkillsDir() : (opts.builtinDir ?? undefined);
  const [ws, bi] = await Promise.all([
    readSource(join(opts.workspace, "skills"), "workspace", env),
    builtin ? readSource(builtin, "builtin", env) : Promise.resolve<SkillSet>({ skills: [], warnings: [] }),
  ]);
  const taken = new Set(ws.skills.map((s) => s.name));
  return {
    skills: [...ws.skills, ...bi.skills.filter((s) => !taken.has(s.name))],
    warnings: [...ws.warnings, ...bi.warnings],
  };
}

/** What says whether the workspace's skills changed: the skills folder's and each SKILL.md's mtime. */
async function fingerprint(workspace: string): Promise<string> {
  const root = join(workspace, "skills");
  const top = await stat(root).catch(() => undefined);
  if (!top) return "none";
  const folders = await skillFolders(root);
  const times = await Promise.all(
    folders.map((f) =>
      stat(join(root, f, "SKILL.md")).then(
        (s) => `${f}:${s.mtimeMs}:${s.size}`,
        () => f,
      ),
    ),
  );
  return `${top.mtimeMs}|${times.join("|")}`;
}

const cache = new Map<string, { key: string; set: Promise<SkillSet> }>();

/**
 * The skills of a workspace, read once per process: later calls only stat the workspace's skills
 * folder, and read again when a skill was added, removed or edited (the agent may write one itself).
 * Built-in skills never change while kavilo runs.
 */
export async function cachedSkills(opts: DiscoverOptions): Promise<SkillSet> {
  const key = await fingerprint(opts.workspace);
  const id = `${opts.workspace}\0${opts.builtinDir ?? ""}`;
  const hit = cache.get(id);
  if (hit?.key === key) return hit.set;
  const set = discoverSkills(opts);
  cache.set(id, { key, set });
  return set;
}
