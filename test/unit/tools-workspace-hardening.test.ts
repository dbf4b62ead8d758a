import { spawn } from "node:child_process";
import {
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/core/config/parse.js";
import { createBuiltinTools } from "../../src/core/tools/builtin.js";
import { ToolRegistry } from "../../src/core/tools/registry.js";
import { tempHome } from "../helpers/cli.js";

const SECRET = "OUTSIDE SECRET 31337";

function setup(config: Record<string, unknown> = {}) {
  const root = tempHome("kavilo-ws-hard-");
  const workspace = join(root, "ws");
  const outside = join(root, "outside");
  const sessions = join(workspace, "sessions");
  mkdirSync(sessions, { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(outside, "f.txt"), `${SECRET}\n`);
  writeFileSync(join(outside, "outside-marker.txt"), "marker\n");
  writeFileSync(join(sessions, "telegram_999.jsonl"), '{"type":"meta","key":"telegram:999"}\n');
  const tools = parseConfig({ tools: config }, "t").config.tools;
  const registry = new ToolRegistry(createBuiltinTools({ tools, denyRoots: [sessions] }));
  const call = (name: string, args: Record<string, unknown>, restrictToWorkspace = true) =>
    registry.execute(
      { id: "1", name, args },
      { workspace, restrictToWorkspace, signal: new AbortController().signal, sessionKey: "t" },
    );
  return { root, workspace, outside, sessions, call };
}

const text = (r: { content: unknown }) =>
  typeof r.content === "string" ? r.content : JSON.stringify(r.content);

describe("the file tools under a folder/symlink swap race", () => {
  it("never read or write outside while another process swaps a folder for a symlink", async () => {
    const { workspace, outside, call } = setup();
    const d = join(workspace, "d");
    mkdirSync(d);
    writeFileSync(join(d, "f.txt"), "inside\n");
    // Another process swaps ws/d between the real folder and a symlink to outside/, as fast as it can.
    const swapper = spawn(
      process.execPath,
      [
        "-e",
        `const fs = require("node:fs");
         const [d, parked, outside] = process.argv.slice(1);
         // A folder the tools made meanwhile (write_file's missing parents) is dropped for the parked one.
         const restore = () => {
           try { fs.rmSync(d, { recursive: true, force: true }); fs.renameSync(parked, d); } catch {}
         };
         for (;;) {
           try { fs.renameSync(d, parked); } catch { restore(); continue; }
           try { fs.symlinkSync(outside, d); fs.unlinkSync(d); } catch {}
           try { fs.renameSync(parked, d); } catch { restore(); }
         }`,
        d,
        join(workspace, "d-parked"),
        outside,
      ],
      { stdio: "ignore" },
    );
    const outcomes = { ok: 0, refused: 0 };
    try {
      const until = Date.now() + 3000;
      let i = 0;
      while (Date.now() < until) {
        i++;
        const results = await Promise.all([
          call("read_file", { path: "d/f.txt" }),
          call("write_file", { path: `d/new-${i}.txt`, content: "written\n" }),
          call("write_file", { path: "d/f.txt", content: "inside\n" }),
          call("edit_file", { path: "d/f.txt", old_string: "inside", new_string: "inside" }),
          call("list_directory", { path: "d" }),
          call("glob_files", { pattern: "d/*" }),
        ]);
        for (const r of results) {
          expect(text(r)).not.toContain(SECRET);
          expect(text(r)).not.toContain("outside-marker");
          if (r.isError) outcomes.refused++;
          else outcomes.ok++;
        }
      }
    } finally {
      swapper.kill("SIGKILL");
    }
    expect(readdirSync(outside).sort()).toEqual(["f.txt", "outside-marker.txt"]);
    const left = readdirSync(workspace, { recursive: true }).map(String);
    expect(left.filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(readFileSync(join(outside, "f.txt"), "utf8")).toBe(`${SECRET}\n`);
    // The race really ran both ways: some calls got through, some were refused.
    expect(outcomes.ok).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  }, 20_000);
});

describe("hard links", () => {
  it("a file with more than one hard link is refused by every file tool", async () => {
    const { workspace, outside, call } = setup();
    linkSync(join(outside, "f.txt"), join(workspace, "h.txt"));
    for (const [name, args] of [
      ["read_file", { path: "h.txt" }],
      ["write_file", { path: "h.txt", content: "overwritten" }],
      ["edit_file", { path: "h.txt", old_string: "OUTSIDE", new_string: "changed" }],
    ] as const) {
      const r = await call(name, args);
      expect(r.isError, name).toBe(true);
      expect(text(r)).toMatch(/has 2 hard links .*tools\.allowHardLinks/);
      expect(text(r)).not.toContain(SECRET);
    }
    expect(readFileSync(join(outside, "f.txt"), "utf8")).toBe(`${SECRET}\n`);
  });

  it("tools.allowHardLinks lets them through", async () => {
    const { workspace, outside, call } = setup({ allowHardLinks: true });
    linkSync(join(outside, "f.txt"), join(workspace, "h.txt"));
    const r = await call("read_file", { path: "h.txt" });
    expect(r).toMatchObject({ isError: false, content: SECRET });
  });
});

describe("the sessions folder", () => {
  it("is off limits to every file tool, restricted or not, also through a symlink", async () => {
    const { workspace, sessions, call } = setup();
    symlinkSync(sessions, join(workspace, "chats"));
    for (const restricted of [true, false]) {
      for (const [name, args] of [
        ["read_file", { path: "sessions/telegram_999.jsonl" }],
        ["read_file", { path: "chats/telegram_999.jsonl" }],
        ["read_file", { path: join(sessions, "telegram_999.jsonl") }],
        ["write_file", { path: "sessions/telegram_999.jsonl", content: "{}" }],
        ["write_file", { path: "sessions/new.jsonl", content: "{}" }],
        ["edit_file", { path: "sessions/telegram_999.jsonl", old_string: "meta", new_string: "x" }],
        ["list_directory", { path: "sessions" }],
      ] as const) {
        const r = await call(name, args, restricted);
        expect(r.isError, `${name} ${JSON.stringify(args)}`).toBe(true);
        expect(text(r)).toMatch(/sessions folder/);
      }
      const globbed = await call("glob_files", { pattern: "**/*.jsonl" }, restricted);
      expect(text(globbed)).not.toContain("telegram_999");
    }
    expect(readFileSync(join(sessions, "telegram_999.jsonl"), "utf8")).toBe(
      '{"type":"meta","key":"telegram:999"}\n',
    );
    expect(existsSync(join(sessions, "new.jsonl"))).toBe(false);
  });
});

describe("very long names", () => {
  it("are a one-line tool error without the full path", async () => {
    const { call } = setup();
    const longName = `${"n".repeat(300)}.txt`;
    const longPath = `${"deep/".repeat(1000)}file.txt`;
    for (const [name, args] of [
      ["read_file", { path: longName }],
      ["write_file", { path: longName, content: "x" }],
      ["edit_file", { path: longName, old_string: "a", new_string: "b" }],
      ["list_directory", { path: longName }],
      ["read_file", { path: longPath }],
      ["write_file", { path: longPath, content: "x" }],
    ] as const) {
      const r = await call(name, args);
      expect(r.isError, name).toBe(true);
      const line = text(r);
      expect(line.split("\n")).toHaveLength(1);
      expect(line).not.toContain(args.path);
      expect(line.length).toBeLessThan(400);
    }
  });
});

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
        expect(text(r)).not.toContain("telegram:999");
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
        expect(text(read), `${path} restricted=${restricted}`).not.toContain("telegram:999");
        const edit = await call("edit_file", { path, old_string: "other", new_string: "x" }, restricted);
        expect(edit.isError).toBe(true);
        // A write replaces the link in the workspace (or is refused): the history itself stays.
        await call("write_file", { path, content: "{}" }, restricted);
      }
    }
    expect(readFileSync(join(sessions, "telegram_999.jsonl"), "utf8")).toBe(
      '{"type":"meta","key":"telegram:999"}\n',
    );
  });
});
