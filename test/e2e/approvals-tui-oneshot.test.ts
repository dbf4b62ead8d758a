/**
 * tools.approval through the built CLI: the TUI's inline prompt under tmux (Allow once, Allow
 * always saved in config, Deny), and `agent -m` without a terminal denying with how to allow.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { type FakeLlm, startFakeOpenAI } from "../fakes/openai-server.js";
import { cleanEnv, runCli, tempHome } from "../helpers/cli.js";
import { shellModel } from "../helpers/shell-model.js";
import { tmuxServer } from "../helpers/tmux-pane.js";

let llm: FakeLlm | undefined;
const tmux = tmuxServer();
afterEach(async () => {
  await llm?.close();
  llm = undefined;
});
afterAll(() => tmux.close());

async function setup(tools: Record<string, unknown>) {
  llm = await startFakeOpenAI({ respond: shellModel });
  const home = tempHome("kavilo-approvals-e2e-");
  mkdirSync(join(home, ".kavilo"), { recursive: true });
  writeFileSync(join(home, ".kavilo", "config.json"), JSON.stringify({ tools }, null, 2));
  const env = cleanEnv(home, {
    KAVILO_PROVIDER: "openai",
    KAVILO_API_BASE: llm.url,
    KAVILO_API_KEY: "test-key",
    KAVILO_MODEL: "m",
  });
  const workspace = join(home, ".kavilo", "workspace");
  const config = () => JSON.parse(readFileSync(join(home, ".kavilo", "config.json"), "utf8"));
  return { env, workspace, config };
}

describe("approvals in the TUI (tmux)", () => {
  it("asks inline; allow once runs it, allow always saves the pattern, Esc denies, allow-listed never asks", async () => {
    const { env, workspace, config } = await setup({ exec: { allow: ["echo safe*"] } });
    const pane = tmux.open(env, ["agent"]);
    await pane.see("message, /help for commands");

    pane.keys("run: touch tui-once.txt", "Enter");
    // The key hint shows once the prompt listens for keys.
    const asked = await pane.see("Enter confirm");
    expect(asked).toContain("touch tui-once.txt");
    expect(asked).toContain("Allow once [y]");
    expect(asked).toContain("Allow always (touch*) [a]");
    expect(asked).toContain("Deny [n]");
    expect(existsSync(join(workspace, "tui-once.txt"))).toBe(false);
    pane.keys("Enter");
    await pane.see("tool said:");
    expect(existsSync(join(workspace, "tui-once.txt"))).toBe(true);
    await pane.see("message, /help for commands");

    pane.keys("run: mkdir -p tui-a", "Enter");
    await pane.see("Allow always (mkdir*)");
    await pane.see("Enter confirm");
    pane.keys("Right", "Enter");
    await pane.see('✓ shell command="mkdir -p tui-a" done');
    expect(existsSync(join(workspace, "tui-a"))).toBe(true);
    expect(config().tools.exec.allow).toEqual(["echo safe*", "mkdir*"]);
    await pane.see("message, /help for commands");
    pane.keys("run: mkdir -p tui-b", "Enter");
    await pane.see('✓ shell command="mkdir -p tui-b" done');
    expect(pane.screen()).not.toContain("Run this shell command?");
    expect(existsSync(join(workspace, "tui-b"))).toBe(true);
    // A line sent while a turn still runs is not taken: wait until the turn is over.
    await pane.waitFor((s) => !s.includes("working"), "the turn to end");

    pane.keys("run: touch tui-no.txt", "Enter");
    await pane.see("Enter confirm");
    pane.keys("Escape");
    await pane.see("the user denied this shell command (denied in the terminal)");
    expect(existsSync(join(workspace, "tui-no.txt"))).toBe(false);

    pane.keys("run: echo safe here", "Enter");
    await pane.see("tool said: safe here");
    expect(pane.screen()).not.toContain("Run this shell command?");

    const sessions = join(workspace, "sessions");
    const stored = readdirSync(sessions)
      .filter((f) => f.endsWith(".jsonl"))
      .map((f) => readFileSync(join(sessions, f), "utf8"))
      .join("\n");
    expect(stored).toMatch(/"summary":"touch tui-once.txt","decision":"allowed","how":"once","by":"tui"/);
    expect(stored).toMatch(
      /"summary":"mkdir -p tui-a","decision":"allowed","how":"always","by":"tui","pattern":"mkdir\*"/,
    );
    expect(stored).toMatch(/"summary":"touch tui-no.txt","decision":"denied","how":"user","by":"tui"/);
    // The decisions are logged in the profile's log file too (the TUI has no stderr to spare).
    const logged = readFileSync(join(workspace, "..", "logs", "kavilo.log"), "utf8");
    expect(logged).toMatch(
      /"level":"info".*"msg":"approval: shell \\"touch tui-once.txt\\" allowed \(once by tui\) in cli:/,
    );
    expect(logged).toMatch(/approval: shell \\"touch tui-no.txt\\" denied \(user by tui\)/);
    pane.keys("C-d");
    await pane.see("EXITED:0");
  });
});

describe("approvals in agent -m", () => {
  it("with ask and a terminal, asks on stderr and reads the answer from the terminal", async () => {
    const { env, workspace, config } = await setup({ approval: { mode: "ask" } });
    const yes = tmux.open(env, ["agent", "-m", "run: touch at-terminal.txt"]);
    await yes.see("allow? [y]es once, [a]lways (touch*), [N]o:");
    expect(yes.screen()).toContain("kavilo: run touch at-terminal.txt");
    expect(existsSync(join(workspace, "at-terminal.txt"))).toBe(false);
    yes.keys("y", "Enter");
    await yes.see("EXITED:0");
    expect(yes.screen()).toContain("✓ shell");
    expect(existsSync(join(workspace, "at-terminal.txt"))).toBe(true);

    const always = tmux.open(env, ["agent", "-m", "run: mkdir -p term-dir"]);
    await always.see("[a]lways (mkdir*)");
    always.keys("a", "Enter");
    await always.see("EXITED:0");
    expect(config().tools.exec.allow).toEqual(["mkdir*"]);

    const no = tmux.open(env, ["agent", "-m", "run: touch refused.txt"]);
    await no.see("allow? [y]es once");
    no.keys("Enter");
    await no.see("EXITED:0");
    expect(no.screen()).toContain("Not run: the user denied this shell command (denied at the terminal)");
    expect(existsSync(join(workspace, "refused.txt"))).toBe(false);
  });

  it("with ask and no terminal, denies and says how to allow; --yes allows; unset mode runs as before", async () => {
    const { env, workspace } = await setup({ approval: { mode: "ask" }, exec: { allow: ["echo safe*"] } });
    const denied = await runCli(["agent", "-m", "run: touch oneshot.txt"], { env });
    expect(denied.code).toBe(0);
    expect(denied.stderr).toContain(
      "✗ shell: Not run: this shell command needs approval (tools.approval), and agent -m has no terminal to ask: run it again with --yes to allow, or add a pattern to tools.exec.allow, or set tools.approval.mode to auto.",
    );
    expect(existsSync(join(workspace, "oneshot.txt"))).toBe(false);

    const listed = await runCli(["agent", "-m", "run: echo safe ok"], { env });
    expect(listed.stdout).toContain("tool said: safe ok");

    const yes = await runCli(["agent", "-m", "run: touch oneshot.txt", "--yes"], { env });
    expect(yes.stderr).toContain("✓ shell");
    expect(existsSync(join(workspace, "oneshot.txt"))).toBe(true);
    const sessions = join(workspace, "sessions");
    const stored = readdirSync(sessions)
      .map((f) => readFileSync(join(sessions, f), "utf8"))
      .join("\n");
    expect(stored).toMatch(/"decision":"denied","how":"nobody"/);
    expect(stored).toMatch(/"decision":"allowed","how":"yes","by":"--yes"/);
    const logged = readFileSync(join(workspace, "..", "logs", "kavilo.log"), "utf8");
    expect(logged).toMatch(/approval: shell \\"touch oneshot.txt\\" denied \(nobody\)/);
    expect(logged).toMatch(/approval: shell \\"touch oneshot.txt\\" allowed \(yes by --yes\)/);

    const { env: plain, workspace: ws2 } = await setup({});
    const auto = await runCli(["agent", "-m", "run: touch plain.txt"], { env: plain });
    expect(auto.stderr).toContain("✓ shell");
    expect(existsSync(join(ws2, "plain.txt"))).toBe(true);
  });

  it("deny-risky refuses without asking, even with a terminal; allow-listed commands still run", async () => {
    const { env, workspace } = await setup({
      approval: { mode: "deny-risky" },
      exec: { allow: ["echo safe*"] },
    });
    const refused = tmux.open(env, ["agent", "-m", "run: touch risky.txt"]);
    await refused.see("EXITED:0");
    expect(refused.screen()).not.toContain("allow?");
    expect(refused.screen()).toContain("tools.approval.mode is deny-risky");
    expect(existsSync(join(workspace, "risky.txt"))).toBe(false);
    const listed = await runCli(["agent", "-m", "run: echo safe still"], { env });
    expect(listed.stdout).toContain("tool said: safe still");
  });
});
