import { mkdir, mkdtemp, realpath, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/core/config/parse.js";
import { createBuiltinTools } from "../../src/core/tools/builtin.js";
import { ToolRegistry } from "../../src/core/tools/registry.js";

async function setup() {
  const root = await realpath(await mkdtemp(join(tmpdir(), "kavilo-roots-")));
  const workspace = join(root, "workspace");
  const media = join(root, "media");
  const secret = join(root, "secret");
  for (const d of [workspace, media, secret]) await mkdir(d);
  await writeFile(join(media, "report.txt"), "quarterly numbers\n");
  await writeFile(join(secret, "key.txt"), "do not read\n");
  await symlink(join(secret, "key.txt"), join(media, "sneaky.txt"));
  const { config } = parseConfig({}, "test");
  const registry = new ToolRegistry(createBuiltinTools({ tools: config.tools, readRoots: [media] }));
  const ctx = {
    workspace,
    restrictToWorkspace: true,
    signal: new AbortController().signal,
    sessionKey: "t",
  };
  const call = (name: string, args: Record<string, unknown>) =>
    registry.execute({ id: "1", name, args }, ctx);
  return { media, call };
}

describe("read roots: files users send (media/) are readable, nothing more", () => {
  it("read_file and list_directory reach media/ while the workspace is restricted", async () => {
    const { media, call } = await setup();
    const read = await call("read_file", { path: join(media, "report.txt") });
    expect(read.isError).toBe(false);
    expect(JSON.stringify(read.content)).toContain("quarterly numbers");
    const list = await call("list_directory", { path: media });
    expect(list.isError).toBe(false);
    expect(JSON.stringify(list.content)).toContain("report.txt");
  });

  it("writes to media/ are still refused, and a symlink out of media/ is refused", async () => {
    const { media, call } = await setup();
    const write = await call("write_file", { path: join(media, "new.txt"), content: "x" });
    expect(write.isError).toBe(true);
    const sneaky = await call("read_file", { path: join(media, "sneaky.txt") });
    expect(sneaky.isError).toBe(true);
    expect(JSON.stringify(sneaky.content)).not.toContain("do not read");
  });
});
