import { type Instance, render } from "ink";
import type { AgentRunner } from "../../core/agent/types.js";
import { App } from "./app.js";
import { loadHistory } from "./input-history.js";
import type { NoticeFeed } from "./notice-feed.js";
import type { RecentSession } from "./slash-commands.js";

export interface RunTuiOptions {
  runner: AgentRunner;
  profile: string;
  sessionKey: string;
  /** Prompt history file (one JSON string per line); created with its directory on first send. */
  historyFile: string;
  /** The text `/usage` prints. */
  usageText: () => Promise<string>;
  /** Saved sessions, most recent first, for /resume. */
  recentSessions?: () => Promise<RecentSession[]>;
  /** Lines from outside the UI (an MCP step-up login's URL) shown as notes. */
  notices?: NoticeFeed;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
}

/**
 * SIGTERM and SIGHUP (a closed terminal) end the chat like /exit, with 128 + the signal's number:
 * unmounting aborts the running turn, so its shell command's process group is killed and "[aborted]"
 * is saved before the process exits, rather than the default of dying at once and orphaning it.
 */
const STOP_SIGNALS = { SIGTERM: 143, SIGHUP: 129 } as const;

/** How long the aborted turn may take to save after a stop signal before the process exits anyway. */
const STOP_GRACE_MS = 10_000;

let lateSignalsIgnored = false;
function ignoreLateStopSignals(code: number): void {
  if (lateSignalsIgnored) return;
  lateSignalsIgnored = true;
  for (const s of Object.keys(STOP_SIGNALS)) process.on(s, () => {});
  setTimeout(() => process.exit(code), STOP_GRACE_MS).unref();
}

const SHOW_CURSOR = "\u001b[?25h";
const BRACKETED_PASTE_OFF = "\u001b[?2004l";

/** Puts the terminal back as we found it, whatever state ink was left in. */
function restoreTerminal(stdin: NodeJS.ReadStream, stdout: NodeJS.WriteStream): void {
  if (stdout.isTTY && !stdout.destroyed && !stdout.writableEnded) {
    stdout.write(SHOW_CURSOR + BRACKETED_PASTE_OFF);
  }
  if (stdin.isTTY && typeof stdin.setRawMode === "function") {
    try {
      stdin.setRawMode(false);
    } catch {
      // A stdin that is already closed has no mode to restore.
    }
  }
  stdin.pause();
}

/**
 * Runs the interactive chat until the user exits (/exit, Ctrl-D, double Ctrl-C) and resolves with
 * the exit code. Rejects with the error if the UI crashes; the terminal is restored on every path.
 */
export async function runTui(opts: RunTuiOptions): Promise<number> {
  const stdin = opts.stdin ?? process.stdin;
  const stdout = opts.stdout ?? process.stdout;
  const history = await loadHistory(opts.historyFile).catch(() => []);
  let instance: Instance | undefined;
  let settle: { resolve: (code: number) => void; reject: (err: unknown) => void } | undefined;
  const exited = new Promise<number>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // An error thrown anywhere while the UI owns the terminal must not leave it in raw mode:
  // we unmount first, then hand the error to the caller.
  const onFatal = (err: unknown) => settle?.reject(err);
  process.on("uncaughtException", onFatal);
  process.on("unhandledRejection", onFatal);
  // A closed terminal shows as SIGHUP or as an error (EIO) on its streams, whichever comes first.
  // Either ends the chat as a hangup; later errors from the gone terminal must not crash the exit
  // before the aborted turn is saved. The listeners stay: the terminal can fail until the very end.
  let stoppedBy: keyof typeof STOP_SIGNALS | undefined;
  const onStop = (signal: keyof typeof STOP_SIGNALS) => {
    stoppedBy ??= signal;
    if (signal === "SIGHUP") process.stderr.on("error", () => {});
    settle?.resolve(STOP_SIGNALS[signal]);
  };
  const hangUp = () => onStop("SIGHUP");
  for (const s of [stdin, stdout]) s.on("error", hangUp);
  for (const s of Object.keys(STOP_SIGNALS) as (keyof typeof STOP_SIGNALS)[]) process.on(s, onStop);
  try {
    instance = render(
      <App
        runner={opts.runner}
        profile={opts.profile}
        sessionKey={opts.sessionKey}
        history={history}
        historyFile={opts.historyFile}
        usageText={opts.usageText}
        {...(opts.recentSessions ? { recentSessions: opts.recentSessions } : {})}
        {...(opts.notices ? { notices: opts.notices } : {})}
        onExit={(code) => settle?.resolve(code)}
      />,
      {
        stdin,
        stdout,
        exitOnCtrlC: false,
        // `kavilo agent` opens the TUI only on a terminal, so it is interactive even where a CI
        // variable is set (ink would otherwise print only the last frame, at exit).
        interactive: true,
        // Console output only collides with the UI on the real terminal; a caller-supplied stream
        // (tests, embedding) keeps the console untouched.
        patchConsole: stdout === process.stdout,
        // Lets terminals that speak the kitty keyboard protocol report Shift+Enter.
        kittyKeyboard: { mode: "auto" },
      },
    );
    instance.waitUntilExit().then(
      () => settle?.resolve(0),
      (err: unknown) => settle?.reject(err),
    );
    return await exited;
  } finally {
    process.off("uncaughtException", onFatal);
    process.off("unhandledRejection", onFatal);
    for (const s of Object.keys(STOP_SIGNALS) as (keyof typeof STOP_SIGNALS)[]) process.off(s, onStop);
    // A hangup brings both an EIO and a SIGHUP, and a service manager may signal twice: once the
    // chat was stopped, a late signal must not kill the process before the aborted turn is saved.
    if (stoppedBy) ignoreLateStopSignals(STOP_SIGNALS[stoppedBy]);
    if (instance) {
      instance.unmount();
      await instance.waitUntilExit().catch(() => {});
      instance.cleanup();
    }
    restoreTerminal(stdin, stdout);
  }
}
