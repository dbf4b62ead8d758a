import { realpath } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, resolve, sep } from "node:path";
import type { ApprovalRequest } from "../agent/interaction.js";
import { expandHome } from "../base/paths.js";
import { globToRegExp } from "../config/secret-paths.js";
import { isInside } from "./workspace-guard.js";

/**
 * Which tool calls are risky and need a yes first (tools.approval): a `shell` command not matched
 * by tools.exec.allow, and a file write outside the workspace and tools.approval.writeAllow.
 */
export type ApprovalMode = "auto" | "ask" | "deny-risky";

export interface ApprovalSettings {
  /** Unset: the front-end's default ("ask" in the TUI and `kavilo start`, "auto" in agent -m). */
  mode?: ApprovalMode | undefined;
  timeoutS: number;
  /** tools.exec.allow: shell command patterns that never ask (`git status*`). */
  execAllow: readonly string[];
  /** tools.approval.writeAllow: paths outside the workspace that writes may reach without asking. */
  writeAllow: readonly string[];
}

export interface RiskContext {
  workspace: string;
  restrictToWorkspace: boolean;
  homeDir?: string;
  /**
   * Files a write asks about even inside the workspace: kavilo's config.json (a workspace set to
   * the kavilo home or `~` holds it), where tools.approval itself is set.
   */
  guarded?: readonly string[];
}

const WRITE_TOOLS = new Set(["write_file", "edit_file"]);

/**
 * Shell syntax that chains or redirects: `git status; rm -rf ~` must not pass as `git status*`.
 * A command holding any of these asks even when its start matches an allowed pattern.
 */
const CHAINING = /[;&|`<>\n\r]|\$\(/;

/** A glob matched case-sensitively: commands and Linux paths are (`LS` is not `ls`). */
const exactGlob = (pattern: string) => new RegExp(globToRegExp(pattern).source);

/** Whether `command` matches one of the tools.exec.allow patterns (and chains nothing on). */
export function commandAllowed(command: string, patterns: readonly string[]): boolean {
  const cmd = command.trim();
  if (CHAINING.test(cmd)) return false;
  return patterns.some((p) => p.trim() !== "" && exactGlob(p.trim()).test(cmd));
}

/**
 * Programs that run whatever their arguments say (`sh -c`, `sudo`, `env`, `xargs`, interpreters):
 * "Allow always" for `bash*` or `python3*` would allow every command, so they get no pattern.
 */
const RUNS_OTHERS =
  /^(?:.*\/)?(?:sh|bash|dash|zsh|ksh|fish|csh|tcsh|busybox|env|sudo|doas|su|xargs|exec|eval|command|builtin|nohup|setsid|timeout|nice|ionice|time|watch|strace|chroot|unshare|nsenter|runuser|ssh|script|find|awk|gawk|perl|python\d*(?:\.\d+)?|node|nodejs|deno|bun|ruby|php|lua|tclsh|osascript|npx)$/;

/**
 * A tools.exec.allow pattern that allows any command at all: `*`, or a bare program that runs
 * others (`bash*`, `sudo*`, `python3*`): `bash -c '...'` then runs anything unasked.
 */
export function allowsAnything(pattern: string): boolean {
  const p = pattern.trim();
  if (/^\*+$/.test(p)) return true;
  const bare = /^(\S+?)\*$/.exec(p)?.[1] ?? (/\s/.test(p) ? undefined : p);
  return bare !== undefined && RUNS_OTHERS.test(bare);
}

/**
 * Characters that would make the question show something other than what runs: control
 * characters (a `\r` or an escape sequence can redraw the line on a terminal), bidi overrides and
 * zero-width characters. Newlines and tabs stay; the rest are shown escaped (`\x1b`, `\u202e`).
 */
const HIDING =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** `text` as a question may quote it: nothing in it can hide or redraw what it says. */
export function shownAsIs(text: string): string {
  return text.replace(HIDING, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/**
 * The pattern "Allow always" saves: the program and its subcommand word, then `*`
 * (`git status --short` → `git status*`, `ls -la` → `ls*`). A chained command gets none: it would
 * never match one.
 */
export function suggestPattern(command: string): string | undefined {
  const cmd = command.trim();
  // A chained command would never match one; a hidden character would be saved unseen.
  if (CHAINING.test(cmd) || cmd === "" || shownAsIs(cmd) !== cmd) return undefined;
  const [program, sub] = cmd.split(/\s+/);
  // `FOO=1 rm x`: an assignment first; and programs that run other programs (RUNS_OTHERS).
  if (!program || program.includes("=") || RUNS_OTHERS.test(program)) return undefined;
  // `git -c alias.x=!cmd x`: git's options before the subcommand can run anything; no `git*`.
  if (program === "git" && !(sub && /^[a-z][\w-]*$/.test(sub))) return undefined;
  return sub && /^[a-z][\w-]*$/.test(sub) ? `${program} ${sub}*` : `${program}*`;
}

/** The real location a write would land on: the nearest existing ancestor resolved, the rest re-attached. */
async function landingPath(abs: string): Promise<string> {
  const tail: string[] = [];
  let current = abs;
  for (;;) {
    const real = await realpath(current).catch(() => undefined);
    if (real) return tail.length ? join(real, ...tail.reverse()) : real;
    const parent = dirname(current);
    if (parent === current) return abs;
    tail.push(basename(current));
    current = parent;
  }
}

/** Whether `target` (a real path) is one of the guarded files, wherever they really are. */
async function isGuarded(target: string, files: readonly string[]): Promise<boolean> {
  for (const file of files) {
    if (target === (await landingPath(resolve(file)))) return true;
  }
  return false;
}

function stringArg(args: unknown, key: string): string | undefined {
  if (!args || typeof args !== "object") return undefined;
  const v = (args as Record<string, unknown>)[key];
  return typeof v === "string" ? v : undefined;
}

/** What asking about this call would say, or undefined when the call is not risky. */
export async function riskOf(
  tool: string,
  args: unknown,
  settings: Pick<ApprovalSettings, "execAllow" | "writeAllow">,
  ctx: RiskContext,
): Promise<ApprovalRequest | undefined> {
  if (tool === "shell") {
    const command = stringArg(args, "command");
    if (command === undefined || commandAllowed(command, settings.execAllow)) return undefined;
    const pattern = suggestPattern(command);
    return { tool, summary: shownAsIs(command), ...(pattern ? { pattern } : {}) };
  }
  if (!WRITE_TOOLS.has(tool)) return undefined;
  const given = stringArg(args, "path");
  if (given === undefined) return undefined;
  const expanded = expandHome(given, ctx.homeDir);
  const target = await landingPath(
    isAbsolute(expanded) ? resolve(expanded) : resolve(ctx.workspace, expanded),
  );
  const inside = isInside(ctx.workspace, target);
  // git runs commands named in .git/config (core.fsmonitor, hooks): a write there would turn an
  // allowed `git status*` into any command, so it asks even inside the workspace.
  const gitInternals = target.split(sep).includes(".git");
  const guarded = await isGuarded(target, ctx.guarded ?? []);
  const always = gitInternals || guarded;
  // With restrictToWorkspace the tool itself refuses anything outside; nothing to ask about.
  if (ctx.restrictToWorkspace && !(inside && always)) return undefined;
  if (inside && !always) return undefined;
  const allowed = settings.writeAllow.some((p) => {
    const pattern = expandHome(p.trim(), ctx.homeDir);
    return pattern !== "" && (exactGlob(pattern).test(target) || isInside(resolve(pattern), target));
  });
  if (allowed) return undefined;
  return {
    tool,
    summary: shownAsIs(
      `${tool === "write_file" ? "write" : "edit"} ${target}${gitInternals ? " (git's config and hooks can run commands)" : guarded ? " (kavilo's config, where approvals are set)" : ""}`,
    ),
    // No pattern for a folder whose name hides characters (the question could not show it truly),
    // nor for .git or config.json: allowing them always would undo why they ask.
    ...(shownAsIs(target) === target && !always ? { pattern: `${dirname(target)}/*` } : {}),
  };
}
