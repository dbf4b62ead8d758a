import { mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEditFileTool } from "../../src/core/tools/edit-file.js";
import { createReadFileTool } from "../../src/core/tools/read-file.js";
import { ToolRegistry } from "../../src/core/tools/registry.js";

let ws: string;
const registry = new ToolRegistry([createReadFileTool({ maxBytes: 64 }), createEditFileTool()]);

beforeEach(async () => {
  ws = await realpath(await mkdtemp(join(tmpdir(), "kavilo-files-")));
});

afterEach(async () => {
  await rm(ws, { recursive: true, force: true });
});

function call(name: string, args: Record<string, unknown>) {
  const ctx = {
    workspace: ws,
    restrictToWorkspace: true,
    signal: new AbortController().signal,
    sessionKey: "t",
  };
  return registry.execute({ id: "1", name, args }, ctx);
}

describe("read_file", () => {
  beforeEach(async () => {
    const lines = Array.from({ length: 10 }, (_, i) => `line ${i + 1}`);
    await writeFile(join(ws, "ten.txt"), `${lines.join("\n")}\n`);
  });

  it("reads a whole small file", async () => {
    await writeFile(join(ws, "small.txt"), "one\ntwo\n");
    await expect(call("read_file", { path: "small.txt" })).resolves.toMatchObject({
      isError: false,
      content: "one\ntwo",
    });
  });

  it("honours offset and limit and says where to continue", async () => {
    const res = await call("read_file", { path: "ten.txt", offset: 3, limit: 2 });
    expect(res.content).toBe("line 3\nline 4\n\n[showing lines 3-4; more follow, continue with offset=5]");
  });

  it("stops at the byte cap with a note", async () => {
    const res = await call("read_file", { path: "ten.txt" });
    const text = String(res.content);
    // 64 bytes hold "line 1\n" .. "line 9\n" (7 bytes each = 63), not line 10.
    expect(text).toContain("line 9");
    expect(text).not.toContain("line 10");
    expect(text).toContain("[truncated: output cap of 64 bytes reached; continue with offset=10]");
  });

  it("shows the start of a single line longer than the cap", async () => {
    await writeFile(join(ws, "long.txt"), "x".repeat(500));
    const res = await call("read_file", { path: "long.txt" });
    expect(String(res.content).startsWith("x".repeat(64))).toBe(true);
    expect(res.content).not.toContain("x".repeat(65));
  });

  it("refuses an offset past the end", async () => {
    const res = await call("read_file", { path: "ten.txt", offset: 50 });
    expect(res).toMatchObject({ isError: true, content: "ten.txt has 10 lines; offset 50 is past the end" });
  });

  it("refuses binary files and reports missing ones", async () => {
    await writeFile(join(ws, "blob.bin"), Buffer.from([0x89, 0x50, 0x00, 0x01]));
    const bin = await call("read_file", { path: "blob.bin" });
    expect(bin).toMatchObject({ isError: true });
    expect(bin.content).toContain("binary");
    await expect(call("read_file", { path: "nope.txt" })).resolves.toMatchObject({
      isError: true,
      content: "File not found: nope.txt",
    });
  });
});

describe("edit_file", () => {
  beforeEach(async () => {
    await writeFile(join(ws, "code.ts"), "const a = 1;\nconst b = 1;\nconst c = 2;\n");
  });

  const content = () => readFile(join(ws, "code.ts"), "utf8");

  it("replaces a unique match", async () => {
    const res = await call("edit_file", { path: "code.ts", old_string: "c = 2", new_string: "c = $& 3" });
    expect(res).toMatchObject({ isError: false, content: "Replaced 1 occurrence in code.ts" });
    expect(await content()).toBe("const a = 1;\nconst b = 1;\nconst c = $& 3;\n");
  });

  it("fails on zero matches and leaves the file alone", async () => {
    const res = await call("edit_file", { path: "code.ts", old_string: "const z", new_string: "x" });
    expect(res).toMatchObject({ isError: true, content: "old_string was not found in code.ts" });
    expect(await content()).toBe("const a = 1;\nconst b = 1;\nconst c = 2;\n");
  });

  it("fails on several matches unless replace_all", async () => {
    const many = await call("edit_file", { path: "code.ts", old_string: " = 1;", new_string: " = 9;" });
    expect(many.isError).toBe(true);
    expect(many.content).toContain("occurs 2 times");
    expect(await content()).toContain("const a = 1;");

    const all = await call("edit_file", {
      path: "code.ts",
      old_string: " = 1;",
      new_string: " = 9;",
      replace_all: true,
    });
    expect(all).toMatchObject({ isError: false, content: "Replaced 2 occurrences in code.ts" });
    expect(await content()).toBe("const a = 9;\nconst b = 9;\nconst c = 2;\n");
  });

  it("rejects an empty old_string", async () => {
    const res = await call("edit_file", { path: "code.ts", old_string: "", new_string: "x" });
    expect(res.isError).toBe(true);
  });
});
