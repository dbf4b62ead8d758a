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
   * Caps this turn's tool steps (for sub-agents): the profile-wide maxToolIterations is too generous
   * for background work.
   */
  maxToolSteps?: number;
}

/** Runs one turn to its end and returns what it answered. Never throws for model or tool failures. */
export async function runTurnToEnd(
  agent: Pick<AgentRunner, "runTurn">,
  req: TurnRequest,
  opts: RunTurnOptions = {},
): Promise<TurnOutcome> {
  let error: string | undefined;
  const turn = agent.runTurn(
    opts.maxToolSteps !== undefined ? { ...req, maxIterations: opts.maxToolSteps } : req,
  );
  for await (const ev of turn) {
    // A credential failure's fix (log in again, set a key) is the part the user needs: keep it.
    if (ev.type === "error") error = ev.code === "auth" && ev.hint ? `${ev.message}; ${ev.hint}` : ev.message;
    if (ev.type === "turn-end") {
      return { text: ev.text, reason: ev.reason, iterations: ev.iterations, ...(error ? { error } : {}) };
    }
  }
  return { text: "", reason: "error", error: error ?? "the turn ended without a result", iterations: 0 };
}
