import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makePaths } from "../../src/core/base/paths.js";
import { resolveHome, validateProfileName } from "../../src/core/home.js";
import { tempHome } from "../helpers/cli.js";

function withSticky(userHome: string, name: string) {
  mkdirSync(join(userHome, ".kavilo"), { recursive: true });
  writeFileSync(join(userHome, ".kavilo", "active_profile"), `${name}\n`);
}

describe("resolveHome", () => {
  it("defaults to ~/.kavilo", () => {
    const u = tempHome();
    const r = resolveHome({ env: {}, userHome: u });
    expect(r).toMatchObject({
      home: join(u, ".kavilo"),
      profile: "default",
      source: "default",
      warnings: [],
    });
  });

  it("uses the sticky profile", () => {
    const u = tempHome();
    withSticky(u, "work");
    const r = resolveHome({ env: {}, userHome: u });
    expect(r).toMatchObject({
      home: join(u, ".kavilo", "profiles", "work"),
      profile: "work",
      source: "sticky",
    });
  });

  it("--profile beats the sticky profile", () => {
    const u = tempHome();
    withSticky(u, "work");
    const r = resolveHome({ env: {}, flagProfile: "play", userHome: u });
    expect(r).toMatchObject({
      home: join(u, ".kavilo", "profiles", "play"),
      profile: "play",
      source: "flag",
    });
  });

  it("KAVILO_HOME beats everything, and names the profile when it is one", () => {
    const u = tempHome();
    withSticky(u, "work");
    const env = { KAVILO_HOME: join(u, ".kavilo", "profiles", "work") };
    const r = resolveHome({ env, userHome: u });
    expect(r).toMatchObject({ home: env.KAVILO_HOME, profile: "work", source: "env", warnings: [] });
  });

  it("KAVILO_HOME outside the profile tree has no profile name", () => {
    const u = tempHome();
    const r = resolveHome({ env: { KAVILO_HOME: "/srv/kavilo" }, userHome: u });
    expect(r).toMatchObject({ home: "/srv/kavilo", profile: undefined, source: "env" });
  });

  it("expands a leading ~ in KAVILO_HOME to the user's home, not <cwd>/~", () => {
    const u = tempHome();
    expect(resolveHome({ env: { KAVILO_HOME: "~/kw" }, userHome: u }).home).toBe(join(u, "kw"));
    expect(resolveHome({ env: { KAVILO_HOME: "~" }, userHome: u }).home).toBe(u);
    const inTree = resolveHome({ env: { KAVILO_HOME: "~/.kavilo/profiles/work" }, userHome: u });
    expect(inTree).toMatchObject({ home: join(u, ".kavilo", "profiles", "work"), profile: "work" });
  });

  it("warns when KAVILO_HOME and --profile disagree, and the env wins", () => {
    const u = tempHome();
    const r = resolveHome({ env: { KAVILO_HOME: "/srv/kavilo" }, flagProfile: "work", userHome: u });
    expect(r.home).toBe("/srv/kavilo");
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toContain("--profile work");
  });

  it("does not warn when KAVILO_HOME is the --profile's home", () => {
    const u = tempHome();
    const home = join(u, ".kavilo", "profiles", "work");
    const r = resolveHome({ env: { KAVILO_HOME: home }, flagProfile: "work", userHome: u });
    expect(r.warnings).toEqual([]);
  });

  it("ignores an invalid sticky name with a warning", () => {
    const u = tempHome();
    withSticky(u, "../etc");
    const r = resolveHome({ env: {}, userHome: u });
    expect(r.source).toBe("default");
    expect(r.warnings[0]).toContain("invalid profile name");
  });

  it("validates profile names", () => {
    expect(validateProfileName("work-2_b")).toBe("work-2_b");
    for (const bad of ["", "a/b", "..", "a b", "é"])
      expect(() => validateProfileName(bad)).toThrow(/invalid profile name/);
  });

  it("Paths gives every per-profile location", () => {
    const p = makePaths("/h");
    expect(p).toMatchObject({
      config: "/h/config.json",
      workspace: "/h/workspace",
      sessions: "/h/workspace/sessions",
      mcpAuth: "/h/mcp-auth",
      auth: "/h/auth",
      cronJobs: "/h/cron/jobs.json",
      media: "/h/media",
      usage: "/h/usage",
      logs: "/h/logs",
    });
    expect(p.history.startsWith("/h/")).toBe(true);
    expect(makePaths("/h", "/ws").sessions).toBe("/ws/sessions");
  });
});
