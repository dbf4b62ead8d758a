import {
  APPROVAL_TIMED_OUT,
  type ApprovalDecision,
  type ApprovalRequest,
  type Interaction,
} from "../agent/interaction.js";
import { updateConfigFile } from "../config/update-file.js";
import { type ApprovalMode, type ApprovalSettings, riskOf } from "./approval.js";
import type { ToolContext } from "./types.js";

/** What was decided about a risky call, and by whom: logged, and kept on the tool result in the session. */
export interface ApprovalRecord {
  tool: string;
  summary: string;
  decision: "allowed" | "denied";
  /** once / always (pattern saved) / yes (--yes) / timeout / policy (deny-risky) / nobody (no one to ask) / user. */
  how: "once" | "always" | "yes" | "timeout" | "policy" | "nobody" | "user";
  /** Who answered (`telegram:12345`, `tui`), when someone did. */
  by?: string;
  pattern?: string;
  at: string;
}

export type GateVerdict =
  | { run: true; record?: ApprovalRecord }
  | { run: false; message: string; record: ApprovalRecord };

/** Decides, before a tool runs, whether it may: the one place approvals are applied (see ToolRegistry). */
export type ToolGate = (tool: string, args: unknown, ctx: ToolContext) => Promise<GateVerdict>;

export interface ApprovalGateOptions {
  /** Read on every call, so a changed config applies to the next call. */
  settings: () => ApprovalSettings;
  /** config.json, where "Allow always" saves its pattern (tools.exec.allow, tools.approval.writeAllow). */
  configFile?: string;
  log: (line: string) => void;
  now?: () => Date;
  /**
   * The mode when tools.approval.mode is unset: the front-end's default. "ask" for the TUI and
   * `kavilo start` (chats, and the cron jobs, heartbeats and sub-agents they run); "auto" otherwise.
   */
  defaultMode?: ApprovalMode;
}

/** The mode that applies: the configured one, else the front-end's default. */
export function effectiveMode(settings: ApprovalSettings, defaultMode: ApprovalMode = "auto"): ApprovalMode {
  return settings.mode ?? defaultMode;
}

const what = (req: ApprovalRequest) => (req.tool === "shell" ? "shell command" : "file write");

function nobodyMessage(req: ApprovalRequest, interaction: Interaction | undefined): string {
  const how =
    interaction?.cannotAsk ??
    "nobody can be asked in this turn (a cron job or heartbeat): add a pattern to tools.exec.allow, or set tools.approval.mode to auto";
  return `Not run: this ${what(req)} needs approval (tools.approval), and ${how}.`;
}

/** Waits for the front-end's answer; no answer within timeoutS (or a stopped turn) is a deny. */
async function ask(
  interaction: Interaction & Required<Pick<Interaction, "approve">>,
  req: ApprovalRequest,
  timeoutS: number,
  signal: AbortSignal,
): Promise<ApprovalDecision | "timeout"> {
  const timer = new AbortController();
  // setTimeout fires at once past 2^31-1 ms (~24.8 days): a longer timeoutS waits that long.
  const handle = setTimeout(() => timer.abort(APPROVAL_TIMED_OUT), Math.min(timeoutS * 1000, 2 ** 31 - 1));
  const both = AbortSignal.any([signal, timer.signal]);
  try {
    const ended = new Promise<"timeout">((resolve) => {
      if (both.aborted) resolve("timeout");
      both.addEventListener("abort", () => resolve("timeout"), { once: true });
    });
    return await Promise.race([interaction.approve(req, both), ended]);
  } finally {
    clearTimeout(handle);
    // Tells the front-end the question is over (a prompt to take down, buttons to remove).
    timer.abort();
  }
}

function objectAt(parent: Record<string, unknown>, key: string): Record<string, unknown> {
  const v = parent[key];
  if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
  const created: Record<string, unknown> = {};
  parent[key] = created;
  return created;
}

async function savePattern(file: string, tool: string, pattern: string): Promise<void> {
  await updateConfigFile(file, (raw) => {
    const section = objectAt(objectAt(raw, "tools"), tool === "shell" ? "exec" : "approval");
    const key = tool === "shell" ? "allow" : "writeAllow";
    const list = Array.isArray(section[key]) ? (section[key] as unknown[]) : [];
    if (!list.includes(pattern)) section[key] = [...list, pattern];
  });
}

/**
 * The approval policy as a gate: risky calls (approval.ts) run, ask, or are denied per
 * tools.approval.mode. "Allow always" applies at once in this process and is saved to config.json.
 */
export function createApprovalGate(opts: ApprovalGateOptions): ToolGate {
  const added = { exec: [] as string[], write: [] as string[] };
  const now = opts.now ?? (() => new Date());
  return async (tool, args, ctx) => {
    const base = opts.settings();
    const mode = effectiveMode(base, opts.defaultMode);
    if (mode === "auto") return { run: true };
    const settings = {
      ...base,
      execAllow: [...base.execAllow, ...added.exec],
      writeAllow: [...base.writeAllow, ...added.write],
    };
    const req = await riskOf(tool, args, settings, {
      ...ctx,
      ...(opts.configFile ? { guarded: [opts.configFile] } : {}),
    });
    if (!req) return { run: true };
    const record = (r: Omit<ApprovalRecord, "tool" | "summary" | "at">): ApprovalRecord => {
      const full: ApprovalRecord = { tool, summary: req.summary, ...r, at: now().toISOString() };
      opts.log(
        `approval: ${tool} "${req.summary}" ${full.decision} (${full.how}${full.by ? ` by ${full.by}` : ""}) in ${ctx.sessionKey}`,
      );
      return full;
    };
    if (mode === "deny-risky") {
      return {
        run: false,
        record: record({ decision: "denied", how: "policy" }),
        message:
          `Not run: tools.approval.mode is deny-risky, so this ${what(req)} is refused. ` +
          "Commands matching tools.exec.allow (and writes inside the workspace or tools.approval.writeAllow) still run.",
      };
    }
    const interaction = ctx.interaction;
    if (!interaction?.approve || interaction.cannotAsk) {
      return {
        run: false,
        record: record({ decision: "denied", how: "nobody" }),
        message: nobodyMessage(req, interaction),
      };
    }
    const answer = await ask(
      interaction as Interaction & Required<Pick<Interaction, "approve">>,
      req,
      settings.timeoutS,
      ctx.signal,
    );
    if (answer === "timeout") {
      const stopped = ctx.signal.aborted;
      return {
        run: false,
        record: record({ decision: "denied", how: "timeout" }),
        message: stopped
          ? `Not run: the turn was stopped while this ${what(req)} waited for approval.`
          : `Not run: nobody answered within ${settings.timeoutS} s (tools.approval.timeoutS), which counts as a deny.`,
      };
    }
    const by = answer.by ? { by: answer.by } : {};
    if (!answer.allow) {
      return {
        run: false,
        record: record({ decision: "denied", how: "user", ...by }),
        message: `Not run: the user denied this ${what(req)}${answer.reason ? ` (${answer.reason})` : ""}. Do not retry it; ask what to do instead.`,
      };
    }
    if (answer.always && req.pattern) {
      (tool === "shell" ? added.exec : added.write).push(req.pattern);
      if (opts.configFile) {
        await savePattern(opts.configFile, tool, req.pattern).catch((err: unknown) =>
          opts.log(
            `approval: could not save "${req.pattern}" to ${opts.configFile}: ${(err as Error).message}`,
          ),
        );
      }
    }
    const how = answer.by === "--yes" ? "yes" : answer.always && req.pattern ? "always" : "once";
    return {
      run: true,
      record: record({
        decision: "allowed",
        how,
        ...by,
        ...(how === "always" ? { pattern: req.pattern } : {}),
      }),
    };
  };
}

/** tools.approval and tools.exec.allow from the config, as the gate reads them. */
export function approvalSettingsOf(tools: {
  approval: { mode?: ApprovalMode | undefined; timeoutS: number; writeAllow: string[] };
  exec: { allow: string[] };
}): ApprovalSettings {
  return {
    mode: tools.approval.mode,
    timeoutS: tools.approval.timeoutS,
    execAllow: tools.exec.allow,
    writeAllow: tools.approval.writeAllow,
  };
}
