import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cleanEnv, runCli, tempHome } from "../helpers/cli.js";

// --json on the listing commands, for scripts.
describe("--json output", () => {
  it("cron list --json prints the jobs", async () => {
    const env = cleanEnv(tempHome());
    expect((await runCli(["cron", "list", "--json"], { env })).stdout).toBe('{\n  "jobs": []\n}\n');
    const add = await runCli(
      ["cron", "add", "--message", "water the plants", "--every", "3600", "--name", "plants"],
      {
        env,
      },
    );
    expect(add.code, add.stderr).toBe(0);
    const r = await runCli(["cron", "list", "--json"], { env });
    expect(r.code, r.stderr).toBe(0);
    const { jobs } = JSON.parse(r.stdout) as { jobs: { id: string; name: string; payload?: unknown }[] };
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.name).toBe("plants");
    expect(JSON.stringify(jobs[0])).toContain("water the plants");
  });

  it("profile list --json and profile show --json", async () => {
    const home = tempHome();
    const env = cleanEnv(home);
    expect((await runCli(["profile", "use", "work"], { env })).code).toBe(0);
    const list = await runCli(["profile", "list", "--json"], { env });
    expect(list.code, list.stderr).toBe(0);
    const parsed = JSON.parse(list.stdout) as {
      active: string;
      profiles: { name: string; path: string; active: boolean }[];
    };
    expect(parsed.active).toBe("work");
    expect(parsed.profiles).toEqual([
      { name: "default", path: join(home, ".kavilo"), active: false },
      { name: "work", path: join(home, ".kavilo", "profiles", "work"), active: true },
    ]);
    const show = await runCli(["profile", "show", "--json"], { env });
    expect(JSON.parse(show.stdout)).toEqual({
      profile: "work",
      path: join(home, ".kavilo", "profiles", "work"),
      source: "sticky",
    });
  });

  it("skills list --json", async () => {
    const r = await runCli(["skills", "list", "--json"], { env: cleanEnv(tempHome()) });
    expect(r.code, r.stderr).toBe(0);
    const { skills } = JSON.parse(r.stdout) as { skills: { name: string }[] };
    expect(skills.map((s) => s.name)).toContain("skill-creator");
  });
});
