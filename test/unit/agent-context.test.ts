import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildSystemPrompt, clockLine } from "../../src/core/agent/context.js";
import { tempHome } from "../helpers/cli.js";

describe("agent context", () => {
  it("holds identity, clock, workspace, the user's files, skills and the channel", async () => {
    const ws = tempHome();
    writeFileSync(join(ws, "AGENTS.md"), "Always answer in haiku.");
    writeFileSync(join(ws, "SOUL.md"), "Calm and kind.");
    writeFileSync(join(ws, "USER.md"), "Name: Ada");
    writeFileSync(join(ws, "MEMORY.md"), "Ada likes tea.");
    mkdirSync(join(ws, "skills", "weather"), { recursive: true });
    writeFileSync(
      join(ws, "skills", "weather", "SKILL.md"),
      '---\nname: weather\ndescription: "Look up the weather with curl"\n---\nUse wttr.in',
    );
    mkdirSync(join(ws, "skills", "nameless"), { recursive: true });
    writeFileSync(join(ws, "skills", "nameless", "SKILL.md"), "no frontmatter");
    const prompt = await buildSystemPrompt({
      workspace: ws,
      now: new Date("2026-11-21T10:00:00Z"),
      timezone: "Europe/Paris",
      origin: { channel: "telegram", chatId: "42" },
    });
    expect(prompt).toContain("You are kavilo");
    expect(prompt).toContain("11:00:00"); // Paris is UTC+1 in November
    expect(prompt).toContain("Europe/Paris");
    expect(prompt).toContain("2026-11-21T10:00:00.000Z");
    expect(prompt).toContain(`Workspace: ${ws}`);
    for (const text of ["Always answer in haiku.", "Calm and kind.", "Name: Ada", "Ada likes tea."]) {
      expect(prompt).toContain(text);
    }
    expect(prompt).toContain(
      "<name>weather</name>\n    <description>Look up the weather with curl</description>",
    );
    expect(prompt).toContain(`<location>${join(ws, "skills", "weather", "SKILL.md")}</location>`);
    // A SKILL.md without frontmatter has no description for the model: it is not offered.
    expect(prompt).not.toContain("<name>nameless</name>");
    expect(prompt).toContain("telegram, chat 42");
  });

  it("without a configured zone, the clock uses the system's local time", () => {
    const now = new Date("2026-11-21T10:00:00Z");
    expect(clockLine(now)).toBe(`${now.toString()} (ISO 2026-11-21T10:00:00.000Z)`);
  });
});
