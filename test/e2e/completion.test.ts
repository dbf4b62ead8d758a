import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cleanEnv, runCli, tempHome } from "../helpers/cli.js";

// kavilo completion bash|zsh|fish, from commander's command tree; profile names read when completing.
describe("kavilo completion", () => {
  const home = tempHome();
  mkdirSync(join(home, ".kavilo", "profiles", "work"), { recursive: true });
  const env = cleanEnv(home);

  /** What bash offers for the words typed so far (the last one is being completed). */
  async function complete(words: string[]): Promise<string[]> {
    const script = (await runCli(["completion", "bash"], { env })).stdout;
    const file = join(home, "kavilo.bash");
    writeFileSync(file, script);
    const quoted = words.map((w) => `'${w}'`).join(" ");
    const r = spawnSync(
      "bash",
      [
        "-c",
        `source ${file}; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _kavilo; printf '%s\\n' "\${COMPREPLY[@]}"`,
      ],
      { env: { HOME: home, PATH: "/usr/bin:/bin" }, encoding: "utf8" },
    );
    expect(r.stderr).toBe("");
    return r.stdout.split("\n").filter(Boolean);
  }

  it("bash: subcommands, nested subcommands, options and profile names", async () => {
    expect((await complete(["kavilo", "se"])).sort()).toEqual(["service", "sessions"]);
    expect(await complete(["kavilo", "cron", ""])).toEqual(
      expect.arrayContaining(["list", "add", "remove", "run"]),
    );
    expect(await complete(["kavilo", "agent", "--re"])).toEqual(["--resume"]);
    expect(await complete(["kavilo", "profile", "use", ""])).toEqual(
      expect.arrayContaining(["default", "work"]),
    );
    expect(await complete(["kavilo", "--profile", ""])).toEqual(["default", "work"]);
    expect(await complete(["kavilo", "-p", "work", "mcp", "slack", "lo"])).toEqual(["login", "logout"]);
  });

  it("zsh loads the bash completion through bashcompinit", async () => {
    const r = await runCli(["completion", "zsh"], { env });
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe("#compdef kavilo");
    expect(r.stdout).toContain("bashcompinit");
    expect(r.stdout).toContain("complete -F _kavilo kavilo");
  });

  it("fish: one complete line per subcommand and option, profiles from the folder", async () => {
    const r = await runCli(["completion", "fish"], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "complete -c kavilo -n '__fish_use_subcommand' -a sessions -d 'saved conversations'",
    );
    expect(r.stdout).toContain(
      "complete -c kavilo -n '__fish_seen_subcommand_from profile instance; and __fish_seen_subcommand_from use' -a '(__kavilo_profiles)'",
    );
    expect(r.stdout).toMatch(/complete -c kavilo -s p -l profile -r -x -a '\(__kavilo_profiles\)'/);
    expect(r.stdout).toContain(
      "complete -c kavilo -n '__fish_seen_subcommand_from agent' -s m -l message -r",
    );
  });

  it("an unknown shell is a usage error", async () => {
    const r = await runCli(["completion", "tcsh"], { env });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('kavilo: completion takes bash, zsh or fish, not "tcsh"');
  });
});
