import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, ROOT, runCli, tempHome } from "../helpers/cli.js";

beforeAll(() => {
  if (!existsSync(join(ROOT, "dist/cli/main.js"))) throw new Error("run npm run build before the e2e tests");
});

describe("onboard", () => {
  it("creates config and templates, and never overwrites an edited file", async () => {
    const home = tempHome();
    const env = cleanEnv(home);
    const first = await runCli(["onboard"], { env });
    expect(first.code).toBe(0);
    const k = join(home, ".kavilo");
    for (const f of [
      "config.json",
      "workspace/AGENTS.md",
      "workspace/SOUL.md",
      "workspace/USER.md",
      "workspace/MEMORY.md",
      "workspace/HEARTBEAT.md",
    ]) {
      expect(existsSync(join(k, f)), f).toBe(true);
    }
    expect(statSync(join(k, "workspace/skills")).isDirectory()).toBe(true);
    expect(statSync(join(k, "config.json")).mode & 0o777).toBe(0o600);
    writeFileSync(join(k, "workspace/USER.md"), "# Me\nedited\n");
    writeFileSync(join(k, "config.json"), JSON.stringify({ agents: { defaults: { model: "mine" } } }));
    const again = await runCli(["onboard", "--yes"], { env });
    expect(again.code).toBe(0);
    expect(readFileSync(join(k, "workspace/USER.md"), "utf8")).toBe("# Me\nedited\n");
    expect(JSON.parse(readFileSync(join(k, "config.json"), "utf8"))).toEqual({
      agents: { defaults: { model: "mine" } },
    });
  });

  it("reports keys found in the environment without writing them", async () => {
    const home = tempHome();
    const r = await runCli(["onboard"], { env: cleanEnv(home, { OPENAI_API_KEY: "sk-test-secret-123456" }) });
    expect(r.stdout).toContain("OPENAI_API_KEY");
    expect(r.stdout).not.toContain("sk-test-secret");
    expect(readFileSync(join(home, ".kavilo/config.json"), "utf8")).not.toContain("sk-test");
  });
});

describe("profiles", () => {
  it("use / show / list / rm", async () => {
    const home = tempHome();
    const env = cleanEnv(home);
    expect((await runCli(["profile", "use", "work"], { env })).code).toBe(0);
    expect(readFileSync(join(home, ".kavilo/active_profile"), "utf8").trim()).toBe("work");
    const show = await runCli(["profile", "show"], { env });
    expect(show.stdout).toContain("profile: work");
    expect(show.stdout).toContain(join(home, ".kavilo/profiles/work"));
    // the alias spelling
    expect((await runCli(["instance", "use", "scratch"], { env })).code).toBe(0);
    const list = await runCli(["profile", "list"], { env });
    expect(list.stdout).toMatch(/^\* scratch/m);
    expect(list.stdout).toMatch(/^ {2}work/m);
    expect(list.stdout).toMatch(/^ {2}default/m);

    const rmActive = await runCli(["profile", "rm", "scratch", "--yes"], { env });
    expect(rmActive.code).toBe(2);
    expect(rmActive.stderr).toMatch(/active profile/);
    const rmDefault = await runCli(["profile", "rm", "default", "--yes"], { env });
    expect(rmDefault.code).toBe(2);
    expect(rmDefault.stderr).toMatch(/default profile/);
    const noTty = await runCli(["profile", "rm", "work"], { env });
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toMatch(/--yes/);
    expect(existsSync(join(home, ".kavilo/profiles/work"))).toBe(true);
    const rm = await runCli(["profile", "rm", "work", "--yes"], { env });
    expect(rm.code).toBe(0);
    expect(existsSync(join(home, ".kavilo/profiles/work"))).toBe(false);

    expect((await runCli(["profile", "use", "default"], { env })).code).toBe(0);
    expect(existsSync(join(home, ".kavilo/active_profile"))).toBe(false);
    expect((await runCli(["profile", "show"], { env })).stdout).toContain("profile: default");
  });

  it("rejects invalid names", async () => {
    const r = await runCli(["profile", "use", "../x"], { env: cleanEnv(tempHome()) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid profile name/);
  });

  it("--profile/-i pin the home for one run; KAVILO_HOME wins with a warning", async () => {
    const home = tempHome();
    const p = await runCli(["-i", "temp", "status", "--json"], { env: cleanEnv(home) });
    expect(JSON.parse(p.stdout).home).toBe(join(home, ".kavilo/profiles/temp"));
    const custom = join(home, "custom");
    const both = await runCli(["--profile", "temp", "status", "--json"], {
      env: cleanEnv(home, { KAVILO_HOME: custom }),
    });
    expect(JSON.parse(both.stdout).home).toBe(custom);
    expect(both.stderr).toMatch(/warning: KAVILO_HOME=.* overrides --profile temp/);
  });
});

describe("global flags", () => {
  it("-pNAME, -iNAME and --instance=NAME pick the profile like -p NAME", async () => {
    const home = tempHome();
    const env = cleanEnv(home);
    for (const flag of ["-pwork", "-iwork", "--instance=work", "--profile=work"]) {
      const r = await runCli([flag, "profile", "show"], { env });
      expect(r.code, `${flag}: ${r.stderr}`).toBe(0);
      expect(r.stdout, flag).toContain("profile: work");
      expect(r.stdout, flag).toContain(join(home, ".kavilo/profiles/work"));
    }
  });
});
