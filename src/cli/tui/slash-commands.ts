import type { NoteTone } from "./entries.js";

/** A saved session as /resume lists it. */
export interface RecentSession {
  key: string;
  updatedAt: string;
  messages: number;
  firstUserLine?: string;
}

/** What a slash command may do to the app; the app supplies it, tests can too. */
export interface SlashContext {
  readonly sessionKey: string;
  readonly model: string;
  note(text: string, tone?: NoteTone): void;
  resetSession(): Promise<void>;
  setModel(name: string): void;
  setSessionKey(key: string): void;
  usageText(): Promise<string>;
  /** Saved sessions, most recent first (for /resume). */
  recentSessions?(): Promise<RecentSession[]>;
  /** Shows a picker in place of the prompt; resolves with the key picked, or null when cancelled. */
  pickSession?(sessions: readonly RecentSession[]): Promise<string | null>;
  exit(): void;
}

const RESUME_LIMIT = 9;

function resumeList(sessions: readonly RecentSession[], current: string): string {
  const width = Math.max(...sessions.map((s) => s.key.length));
  const rows = sessions.map((s, i) => {
    const mark = s.key === current ? "*" : " ";
    const when = s.updatedAt.slice(0, 16).replace("T", " ");
    const first = s.firstUserLine ? `  ${s.firstUserLine.slice(0, 50)}` : "";
    return `${mark}${i + 1}. ${s.key.padEnd(width)}  ${when}  ${String(s.messages).padStart(4)} msgs${first}`;
  });
  return ["Recent sessions (type /resume <number> or /resume <key>):", ...rows].join("\n");
}

/** /resume: lists recent sessions, or switches to one by its number in that list or its key. */
async function resume(arg: string, ctx: SlashContext): Promise<void> {
  const sessions = ((await ctx.recentSessions?.()) ?? []).slice(0, RESUME_LIMIT);
  if (arg === "" && sessions.length === 0) return ctx.note("no saved sessions yet");
  if (arg === "" && !ctx.pickSession) return ctx.note(resumeList(sessions, ctx.sessionKey));
  const chosen = arg === "" ? await ctx.pickSession?.(sessions) : arg;
  if (chosen === null || chosen === undefined) return ctx.note("resume cancelled");
  const picked = /^\d+$/.test(chosen) ? sessions[Number(chosen) - 1] : sessions.find((s) => s.key === chosen);
  if (!picked) return ctx.note(`no session ${chosen} in the list; type /resume to see it`, "warn");
  ctx.setSessionKey(picked.key);
  ctx.note(`resumed ${picked.key} (${picked.messages} messages)`);
}

interface SlashCommand {
  readonly name: string;
  readonly args: string;
  readonly help: string;
  run(arg: string, ctx: SlashContext): Promise<void> | void;
}

export const KEY_HELP: readonly (readonly [string, string])[] = [
  ["Enter", "send"],
  ["Shift+Enter, Alt+Enter, \\ + Enter", "new line"],
  ["Up / Down", "walk the input history"],
  ["Left / Right, Ctrl-A / Ctrl-E", "move the cursor; start / end of line"],
  ["Ctrl-U", "delete to the start of the line"],
  ["Ctrl-O", "show / hide tool outputs"],
  ["Ctrl-C", "interrupt a turn; clear the input; twice to exit"],
  ["Ctrl-D", "exit (on an empty prompt)"],
];

const COMMANDS: readonly SlashCommand[] = [
  {
    name: "new",
    args: "",
    help: "start a fresh session (the old transcript is archived)",
    run: async (_arg, ctx) => {
      await ctx.resetSession();
    },
  },
  {
    name: "model",
    args: "[name]",
    help: "show the model, or switch it for this session",
    run: (arg, ctx) => {
      if (arg === "") return ctx.note(`model: ${ctx.model}`);
      ctx.setModel(arg);
      ctx.note(`model set to ${arg}`);
    },
  },
  {
    name: "usage",
    args: "",
    help: "show token usage",
    run: async (_arg, ctx) => ctx.note(await ctx.usageText()),
  },
  {
    name: "session",
    args: "[key]",
    help: "show the session key, or switch to another session",
    run: (arg, ctx) => {
      if (arg === "") return ctx.note(`session: ${ctx.sessionKey}`);
      if (/\s/.test(arg)) return ctx.note("a session key cannot contain spaces", "warn");
      ctx.setSessionKey(arg);
      ctx.note(`session switched to ${arg}`);
    },
  },
  {
    name: "resume",
    args: "[n|key]",
    help: "list recent sessions, or continue one of them",
    run: resume,
  },
  { name: "help", args: "", help: "list commands and keys", run: (_arg, ctx) => ctx.note(helpText()) },
  { name: "exit", args: "", help: "quit", run: (_arg, ctx) => ctx.exit() },
];

export function helpText(): string {
  const cmds = COMMANDS.map((c) => `  /${`${c.name} ${c.args}`.trim().padEnd(16)} ${c.help}`);
  const width = Math.max(...KEY_HELP.map(([k]) => k.length));
  const keys = KEY_HELP.map(([k, what]) => `  ${k.padEnd(width)}  ${what}`);
  return ["Commands:", ...cmds, "Keys:", ...keys].join("\n");
}

function isKnown(name: string): boolean {
  return name === "quit" || COMMANDS.some((c) => c.name === name);
}

/**
 * Whether a line is a command rather than a message: its first word is `/` and letters only, and it
 * is a known command or stands alone. "/etc/hosts is broken?" and "/usr please" stay messages.
 */
export function isSlashCommand(input: string): boolean {
  const match = /^\/([a-z]+)(?=\s|$)(\s+\S)?/i.exec(input.trim());
  if (!match) return false;
  return isKnown(match[1]!.toLowerCase()) || match[2] === undefined;
}

/** Runs one slash command line; an unknown command gets a one-line hint. */
export async function runSlashCommand(line: string, ctx: SlashContext): Promise<void> {
  const trimmed = line.trim();
  const space = trimmed.search(/\s/);
  const name = (space === -1 ? trimmed.slice(1) : trimmed.slice(1, space)).toLowerCase();
  const arg = space === -1 ? "" : trimmed.slice(space).trim();
  const command = COMMANDS.find((c) => c.name === (name === "quit" ? "exit" : name));
  if (!command) {
    ctx.note(`unknown command /${name}; type /help for the list`, "warn");
    return;
  }
  try {
    await command.run(arg, ctx);
  } catch (err) {
    ctx.note(`/${name} failed: ${err instanceof Error ? err.message : String(err)}`, "warn");
  }
}
