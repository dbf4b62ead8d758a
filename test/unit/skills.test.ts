import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildSystemPrompt } from "../../src/core/agent/context.js";
import { builtinSkillsDir } from "../../src/core/skills/builtin-dir.js";
import { cachedSkills, discoverSkills } from "../../src/core/skills/discover.js";
import { skillsPrompt } from "../../src/core/skills/prompt.js";
import { ROOT, tempHome } from "../helpers/cli.js";

function skill(root: string, folder: string, text: string): string {
  mkdirSync(join(root, "skills", folder), { recursive: true });
  const path = join(root, "skills", folder, "SKILL.md");
  writeFileSync(path, text);
  return path;
}

/** A PATH holding one executable, so requires.bins can be met without depending on the host. */
function pathWith(bin: string): string {
  const dir = tempHome("kavilo-bin-");
  writeFileSync(join(dir, bin), "#!/bin/sh\n");
  chmodSync(join(dir, bin), 0o755);
  return dir;
}

describe("skills", () => {
  it("reads a multi-line YAML description and the optional Agent Skills fields", async () => {
    const ws = tempHome();
    skill(
      ws,
      "notes",
      "---\nname: notes\ndescription: >\n  Keep notes in notes/ as Markdown.\n  Use when the user says: note this.\nlicense: MIT\ncompatibility: needs a shell\nallowed-tools: read_file write_file\n---\n# Notes\n",
    );
    const { skills, warnings } = await discoverSkills({ workspace: ws, builtinDir: null });
    expect(warnings).toEqual([]);
    expect(skills).toHaveLength(1);
    expect(skills[0]).toMatchObject({
      name: "notes",
      description: "Keep notes in notes/ as Markdown. Use when the user says: note this.",
      license: "MIT",
      compatibility: "needs a shell",
      allowedTools: "read_file write_file",
      source: "workspace",
      available: true,
      always: false,
      body: "# Notes",
    });
  });

  it("gates on requires.bins (present and missing), env and os, and says why", async () => {
    const ws = tempHome();
    const meta = (bins: string) => `metadata:\n  kavilo:\n    requires:\n      bins: [${bins}]\n`;
    skill(ws, "has-tool", `---\nname: has-tool\ndescription: uses kv-tool\n${meta("kv-tool")}---\n`);
    skill(
      ws,
      "no-tool",
      `---\nname: no-tool\ndescription: uses kv-missing\n${meta("kv-missing, kv-tool")}---\n`,
    );
    skill(
      ws,
      "needs-env",
      "---\nname: needs-env\ndescription: d\nmetadata:\n  kavilo:\n    requires:\n      env: [KV_TOKEN]\n    os: [plan9]\n---\n",
    );
    const env = { PATH: pathWith("kv-tool") };
    const { skills } = await discoverSkills({ workspace: ws, builtinDir: null, env });
    const by = Object.fromEntries(skills.map((s) => [s.name, s]));
    expect(by["has-tool"]).toMatchObject({ available: true });
    expect(by["has-tool"]?.reason).toBeUndefined();
    expect(by["no-tool"]).toMatchObject({ available: false, reason: "missing on PATH: kv-missing" });
    expect(by["needs-env"]).toMatchObject({
      available: false,
      reason: `missing env: KV_TOKEN; only on plan9 (this is ${process.platform})`,
    });
    const prompt = skillsPrompt(skills) ?? "";
    expect(prompt).toContain('<skill available="false">\n    <name>no-tool</name>');
    expect(prompt).toContain("<requires>missing on PATH: kv-missing</requires>");
  });

  it("accepts nanobot's JSON-string metadata and OpenClaw's object metadata; a name unlike its folder is a warning", async () => {
    const ws = tempHome();
    skill(
      ws,
      "github",
      `---\nname: github\ndescription: "Interact with GitHub using the gh CLI."\nmetadata: {"nanobot":{"emoji":"🐙","requires":{"bins":["kv-gh-missing"]}}}\n---\n`,
    );
    skill(
      ws,
      "weather",
      `---\nname: weather\ndescription: Weather.\nmetadata: '{"nanobot": {"always": true}}'\n---\nCheck wttr.in first.\n`,
    );
    skill(
      ws,
      "claw",
      "---\nname: claw-tool\ndescription: From OpenClaw.\nmetadata:\n  openclaw:\n    requires:\n      env: [KV_CLAW]\n---\n",
    );
    const { skills, warnings } = await discoverSkills({ workspace: ws, builtinDir: null, env: { PATH: "" } });
    const by = Object.fromEntries(skills.map((s) => [s.name, s]));
    expect(by.github).toMatchObject({ available: false, reason: "missing on PATH: kv-gh-missing" });
    expect(by.weather).toMatchObject({ available: true, always: true });
    expect(by["claw-tool"]).toMatchObject({ available: false, reason: "missing env: KV_CLAW" });
    expect(warnings).toEqual([
      `${join(ws, "skills", "claw", "SKILL.md")}: name "claw-tool" differs from its folder "claw"`,
    ]);
  });

  it("puts an always skill's body in every prompt, the others only as a summary", async () => {
    const ws = tempHome();
    skill(
      ws,
      "house-rules",
      "---\nname: house-rules\ndescription: Rules.\nmetadata:\n  kavilo:\n    always: true\n---\nAlways answer in French.\n",
    );
    skill(ws, "rare", "---\nname: rare\ndescription: Rarely needed.\n---\nSECRET BODY\n");
    const prompt = await buildSystemPrompt({ workspace: ws });
    expect(prompt).toContain("### Skill: house-rules\n\nAlways answer in French.");
    expect(prompt).toContain("<name>rare</name>");
    expect(prompt).not.toContain("SECRET BODY");
  });

  it("ships built-in memory, cron and skill-creator; a workspace skill of the same name wins", async () => {
    expect(builtinSkillsDir()).toBe(join(ROOT, "skills"));
    const ws = tempHome();
    skill(ws, "cron", "---\nname: cron\ndescription: My own cron notes.\n---\n");
    const { skills, warnings } = await discoverSkills({ workspace: ws });
    expect(warnings).toEqual([]);
    expect(skills.map((s) => `${s.name}:${s.source}`)).toEqual([
      "cron:workspace",
      "memory:builtin",
      "skill-creator:builtin",
    ]);
    expect(skills[0]?.description).toBe("My own cron notes.");
    expect(skills.find((s) => s.name === "memory")).toMatchObject({ always: true, available: true });
    for (const s of skills) expect(s.description.length).toBeLessThanOrEqual(1024);
  });

  it("reads skills once per process and again only when the workspace's skills change", async () => {
    const ws = tempHome();
    const path = skill(ws, "a", "---\nname: a\ndescription: first\n---\n");
    const first = await cachedSkills({ workspace: ws, builtinDir: null });
    expect(await cachedSkills({ workspace: ws, builtinDir: null })).toBe(first);
    writeFileSync(path, "---\nname: a\ndescription: second version\n---\n");
    const second = await cachedSkills({ workspace: ws, builtinDir: null });
    expect(second).not.toBe(first);
    expect(second.skills[0]?.description).toBe("second version");
  });
});
