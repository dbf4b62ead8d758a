import type { TurnEndReason } from "../agent/events.js";
import type { AgentRunner, TurnRequest } from "../agent/types.js";

export interface TurnOutcome {
  text: string;
  reason: TurnEndReason;
  /** The last error the turn reported, for a short apology or a cron job's lastError. */
  error?: string;
  iterations: number;
}

export interface RunTurnOptions {
  /**
   * Aborts the turn after this many tool steps (for sub-agents): the loop's own cap is the
   * profile-wide maxToolIterations, which is too generous for background work.
   */
  maxToolSteps?: number;
}

/** Runs one turn to its end and returns what it answered. Never throws for model or tool failures. */
export async function runTurnToEnd(
  agent: Pick<AgentRunner, "runTurn">,
  req: TurnRequest,
  opts: RunTurnOptions = {},
): Promise<TurnOutcome> {
  const cap = opts.maxToolSteps;
  const local = new AbortController();
  const signal = req.signal ? AbortSignal.any([req.signal, local.signal]) : local.signal;
  let error: string | undefined;
  let steps = 0;
  let previous = "";
  let capped = false;
  for await (const ev of agent.runTurn({ ...req, signal })) {
    // The loop announces all of a step's calls before any of them ends.
    if (ev.type === "tool-call-start" && previous !== "tool-call-start") {
      steps++;
      if (cap !== undefined && steps > cap && !capped) {
        capped = true;
        local.abort(new Error("tool step cap"));
      }
    }
    previous = ev.type;
    if (ev.type === "error") error = ev.message;
    if (ev.type === "turn-end") {
      if (capped) {
        return {
          text: `${ev.text ? `${ev.text}\n\n` : ""}(stopped after ${cap} tool steps)`,
          reason: "max-iterations",
          iterations: ev.iterations,
          ...(error ? { error } : {}),
        };
      }
      return { text: ev.text, reason: ev.reason, iterations: ev.iterations, ...(error ? { error } : {}) };
    }
  }
  return { text: "", reason: "error", error: error ?? "the turn ended without a result", iterations: 0 };
}
