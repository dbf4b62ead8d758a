import { describe, expect, it } from "vitest";
import { isActionable } from "../../src/core/heartbeat/heartbeat.js";
import { WORKSPACE_TEMPLATES } from "../../src/core/templates.js";

describe("isActionable", () => {
  it.each([
    ["", false],
    ["   \n\n\t\n", false],
    ["# Heartbeat\n\n## Tasks\n", false],
    ["<!-- add tasks below -->", false],
    ["# Tasks\n<!--\n- [ ] example\nwater the plants\n-->\n", false],
    ["- [ ]", false],
    ["- [ ]   \n* [ ]\n1. [ ]", false],
    ["-\n*\n+\n1.", false],
    ["---\n***\n___\n- - -", false],
    ["- [x] done\n- [X] also done", false],
    ["```\n```", false],
    ["> \n>", false],
    ["- [ ] water plants", true],
    ["# Tasks\n- [x] done\n- [ ] call mum", true],
    ["Check the weather in Paris and tell me if it will rain.", true],
    ["- send the weekly report", true],
    ["1. review PRs", true],
    ["<!-- comment --> remind me to stretch", true],
    ["> check the build", true],
    ["#hashtag-not-a-heading", true],
  ])("%j -> %s", (markdown, expected) => {
    expect(isActionable(markdown)).toBe(expected);
  });

  it("the HEARTBEAT.md that onboard writes is not actionable until the user adds a task", () => {
    const template = WORKSPACE_TEMPLATES["HEARTBEAT.md"] ?? "";
    expect(template).toContain("# Heartbeat");
    expect(isActionable(template)).toBe(false);
    expect(isActionable(`${template}\n- [ ] water the plants\n`)).toBe(true);
  });
});
