// `kavilo agent` (the TUI): time from launch in a real terminal (tmux) until the first frame is on
// screen, against `node` printing one word launched and polled the same way. The issue gives no
// budget for this; 4x is ours.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, benchEnv, median } from "./lib.js";

const BUDGET = 4;
const RUNS = 11;
const POLL_MS = 5;
const TIMEOUT_MS = 15_000;

const tmuxDir = mkdtempSync(join(tmpdir(), "kavilo-bench-tmux-"));
const socket = join(tmuxDir, "socket");

function tmux(...args) {
  const env = { ...process.env };
  delete env.TMUX; // the bench may itself run inside tmux
  const r = spawnSync("tmux", ["-S", socket, "-f", "/dev/null", ...args], { env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`tmux ${args[0]} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

const quote = (s) => `'${s.replaceAll("'", `'\\''`)}'`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Launches `argv` in a fresh 100x30 session and polls the screen until `marker` shows; ms taken. */
async function untilOnScreen(argv, env, marker) {
  const vars = Object.entries({ ...env, TERM: "xterm-256color" }).map(([k, v]) => quote(`${k}=${v}`));
  const command = `env -i ${vars.join(" ")} ${argv.map(quote).join(" ")}`;
  const name = `r${randomBytes(3).toString("hex")}`;
  const start = process.hrtime.bigint();
  tmux("new-session", "-d", "-s", name, "-x", "100", "-y", "30", "-c", env.HOME, command);
  let screen = "";
  try {
    for (;;) {
      const polledAt = process.hrtime.bigint();
      screen = tmux("capture-pane", "-p", "-t", name);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (screen.includes(marker)) return ms;
      if (screen.includes("Pane is dead") || ms > TIMEOUT_MS) {
        throw new Error(`${argv.slice(1).join(" ")}: ${marker} never appeared; screen:\n${screen.trim()}`);
      }
      const spent = Number(process.hrtime.bigint() - polledAt) / 1e6;
      await sleep(Math.max(0, POLL_MS - spent));
    }
  } finally {
    tmux("kill-session", "-t", name);
  }
}

export async function run() {
  // No request is made before the first frame; the provider only has to be configured.
  const env = benchEnv({
    KAVILO_PROVIDER: "openai",
    KAVILO_API_BASE: "http://127.0.0.1:9/v1",
    KAVILO_API_KEY: "k",
    KAVILO_MODEL: "m",
    NO_COLOR: "1",
  });
  const target = [process.execPath, BIN, "agent"];
  // The baseline stays alive after printing, like the TUI: tmux can drop the last output of a
  // process that exits at once, and the kill at the end must find both alike.
  const base = [process.execPath, "-e", "process.stdout.write('READY'); setInterval(() => {}, 60_000)"];
  // One idle session keeps the server up, so server start-up is in neither measurement;
  // remain-on-exit keeps a crashed CLI's last screen for the error message.
  tmux("new-session", "-d", "-s", "keep", "sleep 600");
  tmux("set-option", "-g", "remain-on-exit", "on");
  try {
    await untilOnScreen(target, env, "kavilo · profile"); // warm the compile cache and the fs
    await untilOnScreen(base, env, "READY");
    const baseMs = [];
    const targetMs = [];
    for (let i = 0; i < RUNS; i++) {
      baseMs.push(await untilOnScreen(base, env, "READY"));
      targetMs.push(await untilOnScreen(target, env, "kavilo · profile"));
    }
    const b = median(baseMs);
    const t = median(targetMs);
    return [
      { name: "kavilo agent TUI first frame (tmux)", budget: BUDGET, ratio: t / b, baseMs: b, targetMs: t },
    ];
  } finally {
    tmux("kill-server");
    rmSync(env.HOME, { recursive: true, force: true });
    rmSync(tmuxDir, { recursive: true, force: true });
  }
}
