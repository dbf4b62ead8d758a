import type { AgentEvent } from "../../core/agent/events.js";
import { oneShotInput, readAllStdin } from "../agent-input.js";
import { profileApprovalLog } from "../approval-log.js";
import { composeAgent } from "../compose/agent.js";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";
import { headlessInteraction } from "../headless-interaction.js";
import { retryLine } from "../retry-line.js";

export interface AgentOptions {
  message?: string;
  session: string;
  /** -m only: a fresh session of its own (<session>:<time>) instead of continuing --session. */
  new?: boolean;
  model?: string;
  quiet?: boolean;
  json?: boolean;
  /** -m: accept an MCP server's request for input (elicitation) with its defaults. */
  yes?: boolean;
  /** -m: files to attach (--file, repeatable); images as image input. */
  file?: string[];
  /** Continue the most recent terminal session (cli:...). */
  continue?: boolean;
  /** Continue this session key. */
  resume?: string;
}

/** The session --continue / --resume pick, else --session. */
async function sessionOf(ctx: CliContext, opts: AgentOptions): Promise<string> {
  if (!opts.continue && opts.resume === undefined) return opts.session;
  if (opts.continue && opts.resume !== undefined)
    throw new CliError("use --continue or --resume, not both", 2);
  if (opts.new)
    throw new CliError("--new starts a fresh session; it does not go with --continue or --resume", 2);
  const { existingSession, latestCliSession } = await import("./sessions.js");
  const found =
    opts.resume !== undefined ? await existingSession(ctx, opts.resume) : await latestCliSession(ctx);
  if (!found)
    throw new CliError('no terminal session to continue yet: start one with kavilo agent -m "..."', 2);
  process.stderr.write(`kavilo: continuing session ${found.key} (${found.messages} messages)\n`);
  return found.key;
}

/** A short form of a tool call's arguments for one status line. */
export function shortArgs(args: unknown, max = 80): string {
  if (!args || typeof args !== "object") return "";
  const text = Object.entries(args as Record<string, unknown>)
    .map(
      ([k, v]) =>
        `${k}=${typeof v === "string" ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v) : JSON.stringify(v)}`,
    )
    .join(" ");
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** A session key nobody used before: the given one, suffixed with the current time. */
export function freshSessionKey(base: string, now = new Date()): string {
  return `${base}:${now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")}-${process.pid}`;
}

const STOP_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
/** 128 + the signal's number, as a shell reports a process killed by it. */
const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = {
  SIGINT: 130,
  SIGTERM: 143,
  SIGHUP: 129,
  SIGPIPE: 141,
};

/** Set once stdout's reader has gone (`kavilo agent -m ... | head -1`): nothing more is written. */
let stdoutClosed = false;
function out(text: string): void {
  if (!stdoutClosed) process.stdout.write(text);
}

export default async function agent(ctx: CliContext, options: AgentOptions): Promise<number> {
  const opts = { ...options, session: await sessionOf(ctx, options) };
  if (opts.message === undefined) {
    if (opts.file?.length) throw new CliError('--file goes with -m: kavilo agent -m "..." --file <path>', 2);
    if (!process.stdin.isTTY || !process.stdout.isTTY) {
      throw new CliError('no terminal for the interactive chat: use kavilo agent -m "your message"', 2);
    }
    const { runInteractive } = await import("./agent-interactive.js");
    return runInteractive(ctx, opts);
  }
  // -m - : stdin is the message. -m "text" with a pipe: the text, then the piped text fenced.
  const fromStdin = opts.message === "-";
  const message = fromStdin ? await readAllStdin() : opts.message;
  if (!message.trim()) throw new CliError("the message is empty", 2);
  const piped = !fromStdin && !process.stdin.isTTY ? await readAllStdin() : undefined;
  const text = await oneShotInput({ message, piped, files: opts.file });

  const composed = await composeAgent(ctx, {
    oneShot: true,
    ...(opts.model ? { model: opts.model } : {}),
    warn: (line) => {
      if (!opts.quiet || ctx.debug) process.stderr.write(`kavilo: warning: ${line}\n`);
    },
    progress: (line) => {
      if (!opts.quiet) process.stderr.write(`kavilo: ${line}\n`);
    },
    // Who allowed or denied a risky tool: the profile's log file (and stderr with --debug).
    approvalLog: profileApprovalLog(ctx, (line) => process.stderr.write(`kavilo: ${line}\n`)),
  });
  // SIGINT, SIGTERM and SIGHUP all stop the turn the same way: the running shell command's process
  // group is killed, the user's message and "[aborted]" are saved, and the exit code says which.
  const controller = new AbortController();
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    stoppedBy ??= signal;
    controller.abort();
  };
  for (const s of STOP_SIGNALS) process.once(s, onSignal);
  // A reader that went away (EPIPE) stops the turn as SIGPIPE would stop another program, quietly:
  // nobody is reading the answer, and "[aborted]" is saved as for a signal.
  const onStdoutError = (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE") throw err;
    stdoutClosed = true;
    onSignal("SIGPIPE");
  };
  process.stdout.on("error", onStdoutError);
  let code = 0;
  let endedWithNewline = true;
  try {
    for await (const ev of composed.agent.runTurn({
      sessionKey: opts.new ? freshSessionKey(opts.session) : opts.session,
      input: text,
      signal: controller.signal,
      // tools.approval.mode "ask" from a terminal asks there; without one it denies (see headless-interaction).
      interaction: headlessInteraction(
        opts.yes,
        Boolean(process.stdin.isTTY && process.stderr.isTTY) &&
          ctx.config().config.tools.approval.mode === "ask",
      ),
    })) {
      if (opts.json) {
        out(`${JSON.stringify(ev)}\n`);
      } else {
        endedWithNewline = render(ev, opts, endedWithNewline, composed.agent.provider, Array.isArray(text));
      }
      if (ev.type === "turn-end") {
        if (ev.reason === "error") code = 1;
        if (ev.reason === "aborted") code = SIGNAL_EXIT[stoppedBy ?? "SIGINT"] ?? 130;
      }
    }
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
    await composed.close();
  }
  // The listener stays: a write still queued may fail after the turn (it is answered the same way).
  if (!opts.json && !endedWithNewline) out("\n");
  return code;
}

/** The fix for a request the provider refused while an image was attached (--file). */
const IMAGE_HINT = "if this model does not take images, pick one that does (--model) or leave the image out";

/** Prints one event; returns whether stdout now ends with a newline. */
function render(
  ev: AgentEvent,
  opts: AgentOptions,
  atLineStart: boolean,
  provider: string,
  sentImage: boolean,
): boolean {
  const err = (line: string) => process.stderr.write(`${line}\n`);
  switch (ev.type) {
    case "retry":
      // no silent waits: each retry is one line, even with -q
      if (!atLineStart) out("\n");
      err(`kavilo: ${retryLine(provider, ev)}`);
      return true;
    case "text-delta":
      out(ev.text);
      return ev.text.endsWith("\n") || (ev.text === "" && atLineStart);
    case "tool-call-start":
      if (!atLineStart) out("\n");
      if (!opts.quiet) err(`→ ${ev.name} ${shortArgs(ev.args)}`);
      return true;
    case "tool-call-end":
      if (!opts.quiet) {
        err(
          ev.ok
            ? `✓ ${ev.name} (${Math.round(ev.durationMs)} ms)`
            : `✗ ${ev.name}: ${ev.output.split("\n")[0]}`,
        );
      }
      return atLineStart;
    case "error": {
      const status = ev.status ? ` (HTTP ${ev.status})` : "";
      // Only a provider's failure (it has a code) points at the provider; a bad time zone, a full
      // disk or a broken session file says what to do in its own message.
      const providerFailure = ev.code !== undefined && ev.code !== "aborted";
      const hint =
        ev.hint ??
        (sentImage && ev.status === 400
          ? IMAGE_HINT
          : providerFailure
            ? "run kavilo status to check the provider"
            : "");
      // A stop is reported once, at turn-end: it may come while a tool runs, with no error event.
      if (ev.code !== "aborted") err(`kavilo: ${ev.message}${status}${hint ? `; ${hint}` : ""}`);
      return atLineStart;
    }
    case "turn-end":
      if (ev.reason === "aborted") {
        if (stdoutClosed) return true; // stopped because nobody reads: nothing to say
        if (!atLineStart) out("\n");
        err("kavilo: interrupted");
        return true;
      }
      if (ev.reason === "stop" && ev.text && !ev.text.endsWith("\n")) {
        out("\n");
        return true;
      }
      return atLineStart;
    default:
      return atLineStart;
  }
}
