import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cleanEnv, runCli, tempHome } from "../helpers/cli.js";

// kavilo completion bash|zsh|fish, from commander's command tree; profile names read when completing.
const hasZsh = spawnSync("zsh", ["-fc", "true"]).status === 0;
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
    expect(await complete(["kavilo", "instance", "use", ""])).toEqual(
      expect.arrayContaining(["default", "work"]),
    );
    expect(await complete(["kavilo", "-p", "work", "mcp", "slack", "lo"])).toEqual(["login", "logout"]);
  });

  /**
   * What zsh offers, run by zsh itself: compadd is stubbed to print its candidates (zsh filters
   * them by the typed prefix, as done here), `words`/CURRENT are the completion's. `autoload`:
   * the script as an $fpath function file; otherwise sourced, which must register it with compdef.
   */
  async function completeZsh(typed: string[], how: "source" | "autoload"): Promise<string[]> {
    const script = (await runCli(["completion", "zsh"], { env })).stdout;
    const dir = join(home, `zsh-${how}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "_kavilo"), script);
    const quoted = typed.map((w) => `'${w}'`).join(" ");
    const load =
      how === "source"
        ? `source ${dir}/_kavilo; [[ $registered == "_kavilo kavilo" ]] || print -u2 "not registered: $registered"`
        : `fpath=(${dir} $fpath); autoload -Uz _kavilo`;
    const r = spawnSync(
      "zsh",
      [
        "-fc",
        `compdef() { registered="$*" }; compadd() { [[ $1 == -- ]] && shift; print -l -- "$@" }
${load}
words=(${quoted}); CURRENT=${typed.length}; _kavilo`,
      ],
      { env: { HOME: home, PATH: "/usr/bin:/bin" }, encoding: "utf8" },
    );
    expect(r.stderr).toBe("");
    const prefix = typed.at(-1) ?? "";
    return r.stdout.split("\n").filter((w) => w !== "" && w.startsWith(prefix));
  }

  it.runIf(hasZsh)("zsh: a native #compdef script, sourced or autoloaded from $fpath", async () => {
    const script = (await runCli(["completion", "zsh"], { env })).stdout;
    expect(script.split("\n")[0]).toBe("#compdef kavilo");
    expect(script).not.toContain("bashcompinit");
    for (const how of ["source", "autoload"] as const) {
      expect((await completeZsh(["kavilo", "se"], how)).sort()).toEqual(["service", "sessions"]);
      expect(await completeZsh(["kavilo", "agent", "--re"], how)).toEqual(["--resume"]);
      expect(await completeZsh(["kavilo", "--profile", ""], how)).toEqual(["default", "work"]);
      expect(await completeZsh(["kavilo", "instance", "use", ""], how)).toEqual(
        expect.arrayContaining(["default", "work"]),
      );
      expect(await completeZsh(["kavilo", "-p", "work", "mcp", "slack", "lo"], how)).toEqual([
        "login",
        "logout",
      ]);
    }
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
