import { splitFrontmatter } from "./frontmatter.js";
import { readRequirements, type SkillRequirements, unmetReason } from "./gating.js";

export type SkillSource = "workspace" | "builtin";

/** A skill as kavilo knows it: its Agent Skills frontmatter, where it lives, and whether it can run here. */
export interface Skill {
  name: string;
  description: string;
  /** The SKILL.md file, absolute: the model reads it with read_file. */
  path: string;
  source: SkillSource;
  available: boolean;
  /** Why it is unavailable (what to install or set), when it is. */
  reason?: string;
  /** Its body is in every prompt. */
  always: boolean;
  requires: SkillRequirements;
  license?: string;
  compatibility?: string;
  allowedTools?: string;
  /** Problems that did not stop the skill from loading (name differs from its folder, ...). */
  warnings: string[];
  /** The Markdown after the frontmatter. */
  body: string;
}

const NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

function text(value: unknown): string | undefined {
  if (typeof value === "string") return value.trim();
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

/**
 * Reads one SKILL.md. Lenient with skills written for nanobot and OpenClaw: a name that breaks the
 * Agent Skills rules or differs from the folder is a warning, and the folder name stands in for a
 * missing one. Returns undefined (with the reason) when there is nothing usable.
 */
export function parseSkill(
  content: string,
  at: { folder: string; path: string; source: SkillSource },
  parse: (source: string) => unknown,
  env: NodeJS.ProcessEnv = process.env,
): { skill?: Skill; error?: string } {
  const fm = splitFrontmatter(content, parse);
  if (fm.error) return { error: `${at.path}: ${fm.error}` };
  const d = fm.data;
  const warnings: string[] = [];
  let name = text(d.name) ?? "";
  if (!name) {
    warnings.push(`${at.path}: no name in the frontmatter; using the folder name "${at.folder}"`);
    name = at.folder;
  } else if (name !== at.folder) {
    warnings.push(`${at.path}: name "${name}" differs from its folder "${at.folder}"`);
  }
  if (name.length > 64 || !NAME.test(name))
    warnings.push(`${at.path}: name "${name}" should be 1-64 characters of a-z, 0-9 and single hyphens`);
  const description = (text(d.description) ?? "").replace(/\s+/g, " ").trim();
  if (!description) return { error: `${at.path}: no description in the frontmatter (the model needs one)` };
  if (description.length > 1024)
    warnings.push(`${at.path}: description is ${description.length} characters (the limit is 1024)`);
  const requires = readRequirements(d.metadata, d.always);
  const reason = unmetReason(requires, env);
  const license = text(d.license);
  const compatibility = text(d.compatibility);
  const allowed = Array.isArray(d["allowed-tools"])
    ? (d["allowed-tools"] as unknown[]).map(String).join(" ")
    : text(d["allowed-tools"]);
  return {
    skill: {
      name,
      description,
      path: at.path,
      source: at.source,
      available: reason === undefined,
      ...(reason ? { reason } : {}),
      always: requires.always,
      requires,
      ...(license ? { license } : {}),
      ...(compatibility ? { compatibility } : {}),
      ...(allowed ? { allowedTools: allowed } : {}),
      warnings,
      body: fm.body.trim(),
    },
  };
}
