import { linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/core/config/load.js";
import { createBuiltinTools } from "../../src/core/tools/builtin.js";
import { ToolRegistry } from "../../src/core/tools/registry.js";
import { tempHome } from "../helpers/cli.js";

const HISTORY = '{"type":"meta","key":"telegram:999","secret":"other chat"}\n';

function setup(config: Record<string, unknown> = {}) {
  const root = tempHome("kavilo-ws-attack-");
  const workspace = join(root, "ws");
  const sessions = join(workspace, "sessions");
  mkdirSync(sessions, { recursive: true });
  writeFileSync(join(sessions, "telegram_999.jsonl"), HISTORY);
  const tools = parseConfig({ tools: config }, "t").config.tools;
  const registry = new ToolRegistry(createBuiltinTools({ tools, denyRoots: [sessions] }));
  const call = (name: string, args: Record<string, unknown>, restrictToWorkspace = true) =>
    registry.execute(
      { id: "1", name, args },
      { workspace, restrictToWorkspace, signal: new AbortController().signal, sessionKey: "t" },
    );
  return { root, workspace, sessions, call };
}

const text = (r: { content: unknown }) =>
  typeof r.content === "string" ? r.content : JSON.stringify(r.content);

describe("the sessions folder, spelled every way", () => {
  it("other spellings of the path are refused too, restricted or not", async () => {
    const { sessions, call } = setup();
    const spellings = [
      "./sessions/../sessions/telegram_999.jsonl",
      "sessions//telegram_999.jsonl",
      "sessions/./telegram_999.jsonl",
      "nothere/../sessions/telegram_999.jsonl",
      `/proc/self/root${sessions}/telegram_999.jsonl`,
    ];
    for (const restricted of [true, false]) {
      for (const path of spellings) {
        const r = await call("read_file", { path }, restricted);
        expect(r.isError, `${path} restricted=${restricted}`).toBe(true);
        expect(text(r)).not.toContain("other chat");
      }
      for (const path of ["sessions/", "./sessions", "sessions/.", "ws/../sessions"]) {
        const r = await call("list_directory", { path }, restricted);
        expect(text(r)).not.toContain("telegram_999");
      }
    }
  });

  it("glob_files shows none of it, whatever the pattern or folder", async () => {
    const { call } = setup();
    for (const restricted of [true, false]) {
      for (const [pattern, path] of [
        ["*", "sessions"],
        ["sessions/*", undefined],
        ["*/*.jsonl", undefined],
        ["{sessions,x}/*", undefined],
        ["s*/*", undefined],
        ["sess?ons/**", undefined],
        ["./sessions/*", undefined],
      ] as const) {
        const r = await call("glob_files", path ? { pattern, path } : { pattern }, restricted);
        expect(text(r), `${pattern} in ${path} restricted=${restricted}`).not.toContain("telegram_999");
      }
    }
  });

  it("a link to one history file, or a hard link with tools.allowHardLinks, does not lead in", async () => {
    const { workspace, sessions, call } = setup({ allowHardLinks: true });
    symlinkSync(join(sessions, "telegram_999.jsonl"), join(workspace, "soft.jsonl"));
    linkSync(join(sessions, "telegram_999.jsonl"), join(workspace, "hard.jsonl"));
    for (const restricted of [true, false]) {
      for (const path of ["soft.jsonl", "hard.jsonl"]) {
        const read = await call("read_file", { path }, restricted);
        expect(text(read), `${path} restricted=${restricted}`).not.toContain("other chat");
        const edit = await call("edit_file", { path, old_string: "other", new_string: "x" }, restricted);
        expect(edit.isError).toBe(true);
        // A write replaces the link in the workspace (or is refused): the history itself stays.
        await call("write_file", { path, content: "{}" }, restricted);
      }
    }
    expect(readFileSync(join(sessions, "telegram_999.jsonl"), "utf8")).toBe(HISTORY);
  });
});
