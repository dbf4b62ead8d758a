import type { Skill } from "./skill-file.js";

function xml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * The skills section of the system prompt: the bodies of `always` skills, then an
 * `<available_skills>` block the model reads from (name, description, where SKILL.md is). An
 * unavailable skill stays listed with what it needs, so the model can tell the user what to install.
 */
export function skillsPrompt(skills: readonly Skill[]): string | undefined {
  if (skills.length === 0) return undefined;
  const parts: string[] = [];
  for (const s of skills.filter((x) => x.always && x.available && x.body)) {
    parts.push(`### Skill: ${s.name}\n\n${s.body}`);
  }
  const entries = skills.map((s) =>
    [
      `  <skill available="${s.available}">`,
      `    <name>${xml(s.name)}</name>`,
      `    <description>${xml(s.description)}</description>`,
      `    <location>${xml(s.path)}</location>`,
      ...(s.reason ? [`    <requires>${xml(s.reason)}</requires>`] : []),
      "  </skill>",
    ].join("\n"),
  );
  parts.push(
    "Skills extend what you can do. When a task matches a skill's description, read its SKILL.md " +
      "(the location below) with read_file first and follow it. A skill marked unavailable needs " +
      "what <requires> says: tell the user how to install or set it.\n\n" +
      `<available_skills>\n${entries.join("\n")}\n</available_skills>`,
  );
  return `## Skills\n\n${parts.join("\n\n")}`;
}
