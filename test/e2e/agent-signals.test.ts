import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { type FakeLlm, startFakeOpenAI } from "../fakes/openai-server.js";
import { BIN, openaiEnv, tempHome } from "../helpers/cli.js";
import { savedMessages } from "../helpers/sessions.js";

let fake: FakeLlm | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Pids of live processes in process group `pgid` (Linux /proc). */
function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // fields[0] is the state, [2] the process group; a zombie has already exited.
      if (Number(fields[2]) === pgid && fields[0] !== "Z") out.push(Number(name));
    } catch {
      // Gone while we looked.
    }
  }
  return out;
}

async function waitFor(check: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error("timed out waiting");
    await sleep(25);
  }
}

describe.each<[NodeJS.Signals, number]>([
  ["SIGTERM", 143],
  ["SIGHUP", 129],
  ["SIGINT", 130],
])("kavilo agent -m stopped by %s", (signal, exitCode) => {
  it("kills the running shell command's process group, saves the message and [aborted], exits with the signal's code", async () => {
    const home = tempHome();
    const ws = join(home, ".kavilo", "workspace");
    const pidFile = join(ws, "shell.pid");
    // The command starts a background grandchild too: the whole group must go, not just sh.
    const command = `echo $$ > ${pidFile}; sleep 300 & sleep 301; echo never`;
    fake = await startFakeOpenAI({
      steps: [{ text: "Running it.", toolCalls: [{ id: "c1", name: "shell", args: { command } }] }],
    });
    const env = openaiEnv(home, fake.url);
    const child = spawn(process.execPath, [BIN, "agent", "-m", "run the long job"], {
      env,
      cwd: home,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, "utf8").trim() !== "", 10_000);
    const shellPid = Number(readFileSync(pidFile, "utf8").trim());
    await waitFor(() => groupMembers(shellPid).length >= 2, 5000);

    child.kill(signal);
    const code = await exited;
    expect(code, stderr).toBe(exitCode);
    expect(groupMembers(shellPid)).toEqual([]);
    expect(stderr).toContain("interrupted");
    expect(stderr).not.toContain("kavilo status");

    const messages = savedMessages(join(ws, "sessions"));
    expect(messages[0]).toEqual({ role: "user", content: "run the long job" });
    expect(messages.at(-1)).toEqual({ role: "assistant", content: "[aborted]" });
    expect(messages.filter((m) => m.role === "user")).toHaveLength(1);
  }, 30_000);
});

// The TUI in a real terminal (tmux, a private server socket), stopped by a signal mid shell command.
const TMUX_DIR = mkdtempSync(join(tmpdir(), "kavilo-tmux-sig-"));
const tmux = (...args: string[]) => {
  const env = { ...process.env };
  delete env.TMUX;
  return execFileSync("tmux", ["-S", join(TMUX_DIR, "socket"), "-f", "/dev/null", ...args], {
    env,
    encoding: "utf8",
  });
};
afterAll(() => {
  try {
    tmux("kill-server");
  } catch {
    // every session already ended
  }
  rmSync(TMUX_DIR, { recursive: true, force: true });
});
const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * `kavilo agent` in a tmux pane, its turn running a shell command that starts a background
 * grandchild. Returns the pids of that command's process group and of kavilo ($PPID of sh -c).
 */
async function tuiRunningShell(target: string) {
  const home = tempHome();
  const ws = join(home, ".kavilo", "workspace");
  const pidFile = join(ws, "shell.pid");
  const command = `echo $$ $PPID > ${pidFile}; sleep 300 & sleep 301; echo never`;
  fake = await startFakeOpenAI({
    steps: [{ text: "Running it.", toolCalls: [{ id: "c1", name: "shell", args: { command } }] }],
  });
  const env = openaiEnv(home, fake.url, {
    TERM: "xterm-256color",
  });
  const vars = Object.entries(env)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => quote(`${k}=${v}`))
    .join(" ");
  const cli = [process.execPath, BIN, "agent"].map(quote).join(" ");
  const stderrFile = join(home, "stderr.txt");
  const script = `cd ${quote(home)}; env -i ${vars} ${cli} 2>${quote(stderrFile)}; echo EXITED:$?; exec sleep 600`;
  tmux("new-session", "-d", "-s", target, "-x", "100", "-y", "30", script);
  const screen = () => tmux("capture-pane", "-p", "-t", target);
  await waitFor(() => screen().includes("message, /help for commands"), 10_000);
  tmux("send-keys", "-t", target, "run the long job", "Enter");
  // The TUI asks before a shell command (tools.approval): allow it once.
  // The key hint shows once the prompt listens for keys.
  await waitFor(() => screen().includes("Enter confirm"), 10_000);
  tmux("send-keys", "-t", target, "y");
  await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, "utf8").trim().includes(" "), 10_000);
  const [shellPid, kaviloPid] = readFileSync(pidFile, "utf8").trim().split(" ").map(Number) as [
    number,
    number,
  ];
  await waitFor(() => groupMembers(shellPid).length >= 2, 5000);
  const stopped = () => {
    expect(groupMembers(shellPid)).toEqual([]);
    const messages = savedMessages(join(ws, "sessions"));
    expect(messages[0]).toEqual({ role: "user", content: "run the long job" });
    expect(messages.at(-1)).toEqual({ role: "assistant", content: "[aborted]" });
    expect(readFileSync(stderrFile, "utf8")).not.toMatch(/Unhandled|EIO|Error/);
  };
  return { screen, shellPid, kaviloPid, stopped };
}

describe.each<[NodeJS.Signals, number]>([
  ["SIGTERM", 143],
  ["SIGHUP", 129],
])("kavilo agent (the TUI) stopped by %s", (signal, exitCode) => {
  it("kills the running shell command's process group, saves [aborted], exits with the signal's code", async () => {
    const target = `sig-${signal}`;
    const tui = await tuiRunningShell(target);
    // As a service manager would: the signal goes to kavilo itself.
    process.kill(tui.kaviloPid, signal);
    await waitFor(() => tui.screen().includes("EXITED:"), 10_000);
    expect(tui.screen()).toContain(`EXITED:${exitCode}`);
    tui.stopped();
    tmux("kill-session", "-t", target);
  }, 30_000);
});

describe("kavilo agent (the TUI) when its terminal closes", () => {
  it("writes to the gone terminal do not crash it: the group is killed and [aborted] saved", async () => {
    const tui = await tuiRunningShell("closed");
    tmux("kill-session", "-t", "closed");
    await waitFor(() => !existsSync(`/proc/${tui.kaviloPid}`), 10_000);
    tui.stopped();
  }, 30_000);
});
