import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseSimpleYaml } from "../../src/core/skills/simple-yaml.js";

describe("the simple frontmatter reading", () => {
  it("gives exactly what the YAML parser gives, for the blocks it takes", () => {
    for (const block of [
      "name: notes\ndescription: Keep notes in notes/ as Markdown. Use it when asked (and only then).",
      'name: github\ndescription: "GitHub via gh: issues, PRs"\nmetadata: {"nanobot":{"emoji":"🐙","requires":{"bins":["gh"]}}}',
      'name: a\n\ndescription: C# and F# code, 100% of it\nallowed-tools: ["read_file", "shell"]',
    ]) {
      expect(parseSimpleYaml(block), block).toEqual(parse(block));
    }
  });

  it("leaves everything else to the YAML parser", () => {
    for (const block of [
      "name: a\ndescription: >\n  folded\n  text",
      "name: a\nmetadata:\n  kavilo:\n    always: true",
      "name: a\ndescription: 'single quoted'",
      "name: a\ndescription: text # a comment",
      "name: a\ndescription: key: value",
      "name: 42",
      "name: a\nalways: true",
      "name: a\nname: b",
      "name: a\ndescription: - a list?",
      "name: &anchor a",
      'metadata: {"unterminated": ',
      "- not a mapping",
    ]) {
      expect(parseSimpleYaml(block), block).toBeUndefined();
    }
  });
});
