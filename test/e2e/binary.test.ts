import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT, tempHome } from "../helpers/cli.js";

const BINARY = join(ROOT, "build", "kavilo");

// `make binary` builds one executable; it must work where no `node` is on PATH.
describe("single executable (make binary)", () => {
  beforeAll(() => {
    execFileSync(process.execPath, [join(ROOT, "scripts/build-binary.mjs")], { cwd: ROOT, stdio: "pipe" });
  }, 180_000);

  const run = (args: string[], home: string) => {
    // An empty PATH directory: nothing called `node` can be found.
    const emptyBin = mkdtempSync(join(tmpdir(), "kavilo-nobin-"));
    const r = spawnSync(BINARY, args, {
      env: { HOME: home, PATH: emptyBin, LANG: "C.UTF-8" },
      encoding: "utf8",
    });
    const which = spawnSync("/bin/sh", ["-c", "command -v node"], {
      env: { PATH: emptyBin },
      encoding: "utf8",
    });
    expect(which.stdout.trim()).toBe("");
    return r;
  };

  it("runs --version and status with no node on PATH", () => {
    expect(existsSync(BINARY)).toBe(true);
    const home = tempHome();
    const version = run(["--version"], home);
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const status = run(["status"], home);
    expect(status.status).toBe(0);
    expect(status.stdout).toContain(join(home, ".kavilo"));
    expect(status.stdout).toMatch(/provider\s+none/);
  });

  it("reads config and reports a bad file like the npm build", () => {
    const home = tempHome();
    const onboard = run(["onboard", "--yes"], home);
    expect(onboard.status).toBe(0);
    writeFileSync(join(home, ".kavilo", "config.json"), '{"agents":{"defaults":{"maxTokens":-1}}}');
    const bad = run(["config", "validate"], home);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("agents.defaults.maxTokens");
  });

  it("carries the built-in skills and writes them out where read_file can read them", () => {
    const home = tempHome();
    const r = run(["skills", "list", "--json"], home);
    expect(r.status, r.stderr).toBe(0);
    const { skills } = JSON.parse(r.stdout) as { skills: { name: string; source: string; path: string }[] };
    expect(skills.map((s) => `${s.name}:${s.source}`)).toEqual([
      "cron:builtin",
      "memory:builtin",
      "skill-creator:builtin",
    ]);
    for (const s of skills) {
      expect(s.path.startsWith(join(home, ".kavilo", "builtin-skills"))).toBe(true);
      expect(readFileSync(s.path, "utf8")).toBe(
        readFileSync(join(ROOT, "skills", s.name, "SKILL.md"), "utf8"),
      );
    }
  });
});
