import type { Config } from "../core/config/schema.js";
import { allowsAnything } from "../core/tools/approval.js";
import type { Check } from "./types.js";

/** tools.approval as it applies: the mode each front-end uses, and the patterns that never ask. */
export interface ApprovalState {
  /** tools.approval.mode as configured; null when unset (each front-end's default applies). */
  configured: "auto" | "ask" | "deny-risky" | null;
  /** The mode in effect in the TUI, in `kavilo start` (chats, cron jobs, heartbeats) and in agent -m / cron run. */
  tui: string;
  start: string;
  oneShot: string;
  timeoutS: number;
  execAllow: string[];
}

export function approvalState(config: Config): ApprovalState {
  const { mode, timeoutS } = config.tools.approval;
  return {
    configured: mode ?? null,
    tui: mode ?? "ask",
    start: mode ?? "ask",
    oneShot: mode ?? "auto",
    timeoutS,
    execAllow: config.tools.exec.allow,
  };
}

/**
 * The approval mode in effect (a value `status` shows on its own row), and a warning where chat
 * users can have any command run unasked: mode auto with a channel on, or an allow pattern such as
 * `*` or `bash*` that lets every command through.
 */
export function approvalCheck(config: Config): Check {
  const state = approvalState(config);
  const patterns = state.execAllow.length ? `; ${state.execAllow.length} allowed command pattern(s)` : "";
  const summary = state.configured
    ? `${state.configured} everywhere (tools.approval.mode)${patterns}`
    : `ask in the TUI and kavilo start, auto in agent -m and cron run (tools.approval.mode unset)${patterns}`;
  const base = { id: "tools.approval", area: "tools" as const, data: { ...state } };
  const channels = (["telegram", "slack"] as const).filter((n) => config.channels[n].enabled);
  if (state.configured === "auto" && channels.length > 0) {
    return {
      ...base,
      status: "warn",
      summary: `approvals: auto with ${channels.join(" and ")} on: anyone in allowFrom can have any shell command run unasked`,
      fix: "kavilo config set tools.approval.mode ask (or deny-risky)",
    };
  }
  const broad = state.execAllow.filter(allowsAnything);
  if (broad.length > 0 && state.configured !== "auto") {
    return {
      ...base,
      status: "warn",
      summary: `approvals: tools.exec.allow has ${broad.map((p) => `"${p}"`).join(", ")}, which lets any command run unasked`,
      fix: "remove it from tools.exec.allow; allow the commands themselves (git status*, ls*)",
    };
  }
  return { ...base, status: "ok", summary: `approvals: ${summary}` };
}
