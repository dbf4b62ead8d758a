import { chmodSync, mkdirSync, mkdtempSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makePaths } from "../../src/core/base/paths.js";
import { tightenOwnFolders } from "../../src/core/base/private-folders.js";

const mode = (p: string) => statSync(p).mode & 0o777;

describe.skipIf(process.platform === "win32")("tightenOwnFolders", () => {
  it("makes kavilo's existing folders 0700 (home, sessions, usage, logs, auth, the default workspace)", async () => {
    const home = join(mkdtempSync(join(tmpdir(), "kavilo-modes-")), "k");
    const paths = makePaths(home);
    for (const d of [home, paths.workspace, paths.sessions, paths.usage, paths.logs, paths.auth]) {
      mkdirSync(d, { recursive: true });
      chmodSync(d, 0o755);
    }
    const changed = await tightenOwnFolders(paths);
    for (const d of [home, paths.workspace, paths.sessions, paths.usage, paths.logs, paths.auth]) {
      expect(mode(d), d).toBe(0o700);
      expect(changed).toContain(d);
    }
    expect(await tightenOwnFolders(paths)).toEqual([]);
  });

  it("leaves a workspace you named alone (its sessions folder is kavilo's), and never chmods through a link", async () => {
    const root = mkdtempSync(join(tmpdir(), "kavilo-modes-"));
    const home = join(root, "k");
    const mine = join(root, "projects");
    const elsewhere = join(root, "elsewhere");
    mkdirSync(join(mine, "sessions"), { recursive: true });
    mkdirSync(elsewhere);
    mkdirSync(home);
    for (const d of [mine, join(mine, "sessions"), elsewhere]) chmodSync(d, 0o755);
    symlinkSync(elsewhere, join(home, "logs"));
    const paths = makePaths(home, mine);
    await tightenOwnFolders(paths);
    expect(mode(mine)).toBe(0o755);
    expect(mode(join(mine, "sessions"))).toBe(0o700);
    expect(mode(elsewhere)).toBe(0o755);
  });

  it("changes nothing when the profile home is the user's home (KAVILO_HOME=~)", async () => {
    const home = mkdtempSync(join(tmpdir(), "kavilo-modes-"));
    const logs = join(home, "logs");
    mkdirSync(logs);
    for (const d of [home, logs]) chmodSync(d, 0o755);
    const before = process.env.HOME;
    process.env.HOME = home;
    try {
      expect(await tightenOwnFolders(makePaths(home))).toEqual([]);
    } finally {
      process.env.HOME = before;
    }
    expect(mode(home)).toBe(0o755);
    expect(mode(logs)).toBe(0o755);
  });
});
