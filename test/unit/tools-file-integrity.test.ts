import { chmodSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/core/config/parse.js";
import { createBuiltinTools } from "../../src/core/tools/builtin.js";
import { ToolRegistry } from "../../src/core/tools/registry.js";
import { tempHome } from "../helpers/cli.js";

function setup() {
  const workspace = tempHome("kavilo-integrity-");
  const registry = new ToolRegistry(createBuiltinTools({ tools: parseConfig({}, "t").config.tools }));
  const ctx = { workspace, restrictToWorkspace: true, signal: new AbortController().signal, sessionKey: "t" };
  const call = (name: string, args: Record<string, unknown>) =>
    registry.execute({ id: "1", name, args }, ctx);
  return { workspace, call };
}

describe("file tools never damage a user's file", () => {
  it("edit_file refuses a file that is not UTF-8 and leaves its bytes alone", async () => {
    const { workspace, call } = setup();
    const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6f, 0x6c, 0x64]); // "café old" in Latin-1
    writeFileSync(join(workspace, "legacy.txt"), latin1);
    const r = await call("edit_file", { path: "legacy.txt", old_string: "old", new_string: "new" });
    expect(r.isError).toBe(true);
    expect(JSON.stringify(r.content)).toMatch(/not UTF-8/);
    expect(readFileSync(join(workspace, "legacy.txt")).equals(latin1)).toBe(true);
  });

  it("edit_file and write_file keep the file's mode and write through a symlink to its target", async () => {
    const { workspace, call } = setup();
    const script = join(workspace, "run.sh");
    writeFileSync(script, "echo old\n");
    chmodSync(script, 0o750);
    expect((await call("edit_file", { path: "run.sh", old_string: "old", new_string: "new" })).isError).toBe(
      false,
    );
    expect(readFileSync(script, "utf8")).toBe("echo new\n");
    expect(statSync(script).mode & 0o777).toBe(0o750);

    mkdirSync(join(workspace, "real"));
    writeFileSync(join(workspace, "real", "notes.md"), "a\n");
    symlinkSync(join(workspace, "real", "notes.md"), join(workspace, "link.md"));
    expect((await call("write_file", { path: "link.md", content: "b\n" })).isError).toBe(false);
    expect(lstatSync(join(workspace, "link.md")).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(workspace, "real", "notes.md"), "utf8")).toBe("b\n");
  });

  it("edit_file keeps a UTF-8 byte-order mark", async () => {
    const { workspace, call } = setup();
    writeFileSync(join(workspace, "bom.txt"), "\ufeffold text\n");
    expect((await call("edit_file", { path: "bom.txt", old_string: "old", new_string: "new" })).isError).toBe(
      false,
    );
    expect(readFileSync(join(workspace, "bom.txt"))[0]).toBe(0xef);
    expect(readFileSync(join(workspace, "bom.txt"), "utf8")).toBe("\ufeffnew text\n");
  });

  it("write_file creates new files with the usual mode (the umask applies)", async () => {
    const { workspace, call } = setup();
    const previous = process.umask(0o077); // a private user: new files are 0600
    try {
      expect((await call("write_file", { path: "fresh.txt", content: "x" })).isError).toBe(false);
    } finally {
      process.umask(previous);
    }
    expect(statSync(join(workspace, "fresh.txt")).mode & 0o777).toBe(0o600);
  });
});
