import { existsSync } from "node:fs";
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGlobFilesTool } from "../../src/core/tools/glob-files.js";
import { createListDirectoryTool } from "../../src/core/tools/list-directory.js";
import { createReadFileTool } from "../../src/core/tools/read-file.js";
import { ToolRegistry } from "../../src/core/tools/registry.js";
import { ToolError } from "../../src/core/tools/types.js";
import { resolveWorkspacePath } from "../../src/core/tools/workspace-guard.js";
import { createWriteFileTool } from "../../src/core/tools/write-file.js";

let root: string;
let ws: string;
let outside: string;
let registry: ToolRegistry;

beforeAll(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), "kavilo-guard-")));
  ws = join(root, "ws");
  outside = join(root, "outside");
  await mkdir(join(ws, "sub"), { recursive: true });
  await mkdir(outside);
  await writeFile(join(ws, "inside.txt"), "inside\n");
  await writeFile(join(ws, "sub", "a.txt"), "a\n");
  await writeFile(join(outside, "secret.txt"), "TOP SECRET\n");
  await symlink(join(ws, "sub"), join(ws, "link-in"));
  await symlink(join(ws, "inside.txt"), join(ws, "link-in-file"));
  await symlink(outside, join(ws, "link-out"));
  await symlink(join(outside, "secret.txt"), join(ws, "link-out-file"));
  await symlink(join(outside, "not-yet"), join(ws, "dangling"));
  registry = new ToolRegistry([
    createReadFileTool({ homeDir: root }),
    createWriteFileTool({ homeDir: root }),
    createListDirectoryTool({ homeDir: root }),
    createGlobFilesTool({ homeDir: root }),
  ]);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function call(name: string, args: Record<string, unknown>, restrictToWorkspace = true) {
  const ctx = {
    workspace: ws,
    restrictToWorkspace,
    signal: new AbortController().signal,
    sessionKey: "test",
  };
  return registry.execute({ id: "1", name, args }, ctx);
}

describe("resolveWorkspacePath", () => {
  const opts = () => ({ workspace: ws, restrictToWorkspace: true, homeDir: root });

  it("resolves relative paths against the workspace", async () => {
    await expect(resolveWorkspacePath("sub/a.txt", opts())).resolves.toBe(join(ws, "sub", "a.txt"));
  });

  it("returns the real path for a symlink that stays inside", async () => {
    await expect(resolveWorkspacePath("link-in/a.txt", opts())).resolves.toBe(join(ws, "sub", "a.txt"));
  });

  it.each([
    ["..", "outside the workspace"],
    ["../outside/secret.txt", "outside the workspace"],
    ["sub/../../outside", "outside the workspace"],
    ["~/outside/secret.txt", "outside the workspace"],
    ["link-out/secret.txt", "symlink"],
    ["link-out/new/deeper.txt", "symlink"],
    ["dangling/file.txt", "broken symlink"],
  ])("refuses %s", async (input, message) => {
    const err = await resolveWorkspacePath(input, opts()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolError);
    expect((err as Error).message).toContain(message);
  });

  it("refuses an absolute path outside", async () => {
    await expect(resolveWorkspacePath(join(outside, "secret.txt"), opts())).rejects.toThrow(
      /outside the workspace/,
    );
  });

  it("allows a file that does not exist yet under an existing directory", async () => {
    await expect(resolveWorkspacePath("sub/new/file.txt", opts())).resolves.toBe(
      join(ws, "sub", "new", "file.txt"),
    );
  });

  it("when not restricted, keeps relative paths relative to the workspace and expands ~", async () => {
    const free = { workspace: ws, restrictToWorkspace: false, homeDir: root };
    await expect(resolveWorkspacePath("inside.txt", free)).resolves.toBe(join(ws, "inside.txt"));
    await expect(resolveWorkspacePath("~/outside/secret.txt", free)).resolves.toBe(
      join(outside, "secret.txt"),
    );
    await expect(resolveWorkspacePath("../outside", free)).resolves.toBe(outside);
  });
});

describe("read_file under restrictToWorkspace", () => {
  it.each(["../outside/secret.txt", "link-out/secret.txt", "link-out-file"])("refuses %s", async (path) => {
    const res = await call("read_file", { path });
    expect(res.isError).toBe(true);
    expect(res.content).not.toContain("TOP SECRET");
  });

  it("refuses an absolute path outside", async () => {
    const res = await call("read_file", { path: join(outside, "secret.txt") });
    expect(res).toMatchObject({ isError: true });
    expect(res.content).toMatch(/outside the workspace/);
  });

  it.each([
    ["link-in/a.txt", "a"],
    ["link-in-file", "inside"],
  ])("allows the inside symlink %s", async (path, text) => {
    await expect(call("read_file", { path })).resolves.toMatchObject({ isError: false, content: text });
  });

  it("reads outside when the restriction is off", async () => {
    const res = await call("read_file", { path: join(outside, "secret.txt") }, false);
    expect(res).toMatchObject({ isError: false, content: "TOP SECRET" });
  });
});

describe("write_file under restrictToWorkspace", () => {
  it.each([
    ["../outside/new.txt", "new.txt"],
    ["link-out/new.txt", "new.txt"],
    ["link-out/deep/new.txt", "deep"],
    ["dangling/new.txt", "not-yet"],
  ])("refuses %s and creates nothing", async (path, wouldBe) => {
    const res = await call("write_file", { path, content: "x" });
    expect(res.isError).toBe(true);
    expect(existsSync(join(outside, wouldBe))).toBe(false);
  });

  it("refuses an absolute path outside", async () => {
    const res = await call("write_file", { path: join(outside, "abs.txt"), content: "x" });
    expect(res.isError).toBe(true);
    expect(existsSync(join(outside, "abs.txt"))).toBe(false);
  });

  it("writes through an inside symlink and creates parent directories", async () => {
    const res = await call("write_file", { path: "link-in/made/new.txt", content: "héllo" });
    expect(res).toMatchObject({ isError: false });
    expect(res.content).toContain("6 bytes");
    expect(existsSync(join(ws, "sub", "made", "new.txt"))).toBe(true);
  });
});

describe("list_directory under restrictToWorkspace", () => {
  it.each([[".."], ["link-out"], ["~"]])("refuses %s", async (path) => {
    const res = await call("list_directory", { path });
    expect(res.isError).toBe(true);
    expect(res.content).not.toContain("secret.txt");
  });

  it("refuses an absolute path outside", async () => {
    await expect(call("list_directory", { path: outside })).resolves.toMatchObject({ isError: true });
  });

  it("lists an inside symlink and marks directories and links", async () => {
    const inside = await call("list_directory", { path: "link-in" });
    expect(inside).toMatchObject({ isError: false });
    expect(inside.content).toContain("a.txt  2 B");
    const top = await call("list_directory", {});
    expect(top.content).toContain("sub/");
    expect(top.content).toContain(`link-in/ -> ${join(ws, "sub")}`);
  });
});

describe("glob_files under restrictToWorkspace", () => {
  it("refuses a pattern with .. and an absolute pattern", async () => {
    await expect(call("glob_files", { pattern: "../outside/*" })).resolves.toMatchObject({ isError: true });
    await expect(call("glob_files", { pattern: `${outside}/*` })).resolves.toMatchObject({ isError: true });
    await expect(call("glob_files", { pattern: "{..,x}/outside/*" })).resolves.toMatchObject({
      isError: true,
    });
    await expect(call("glob_files", { pattern: "sub/{a,..}/*" })).resolves.toMatchObject({ isError: true });
  });

  it("refuses a search directory that is a symlink out", async () => {
    await expect(call("glob_files", { pattern: "*", path: "link-out" })).resolves.toMatchObject({
      isError: true,
    });
  });

  it("drops matches reached through a symlink out", async () => {
    const res = await call("glob_files", { pattern: "link-out/*" });
    expect(res.isError).toBe(false);
    expect(res.content).not.toContain("secret.txt");
    expect(res.content).toContain("No files match");
  });

  it("finds files, including through an inside symlink", async () => {
    const all = await call("glob_files", { pattern: "**/*.txt" });
    expect(all.content).toContain("inside.txt");
    expect(all.content).toContain("sub/a.txt");
    expect(all.content).not.toContain("secret");
    const viaLink = await call("glob_files", { pattern: "link-in/*.txt" });
    expect(viaLink.content).toContain("link-in/a.txt");
  });

  it("globs outside when the restriction is off", async () => {
    const res = await call("glob_files", { pattern: "../outside/*" }, false);
    expect(res.content).toContain("secret.txt");
  });
});
