import type { ContentPart, Usage } from "../../providers/types.js";
import type { ChannelTarget } from "../bus/types.js";
import type { AgentEvent } from "./events.js";
import type { Interaction } from "./interaction.js";

export interface TurnRequest {
  sessionKey: string;
  input: string | ContentPart[];
  signal?: AbortSignal;
  /** Overrides the model for this turn only. */
  model?: string;
  /** The chat the message came from, for channel-aware tools. */
  origin?: ChannelTarget;
  /** Caps tool steps for this turn only (sub-agents); default agents.defaults.maxToolIterations. */
  maxIterations?: number;
  /** Who to ask in this turn (approvals, MCP elicitation); the loop passes it to every tool call. */
  interaction?: Interaction;
}

/**
 * What front-ends (TUI, one-shot, channels, MCP) drive. A turn is an async stream of events that
 * always ends with exactly one `turn-end`; it never throws for provider or tool failures.
 */
export interface AgentRunner {
  /** Provider and model as resolved, for headers and status lines. */
  readonly provider: string;
  readonly model: string;
  runTurn(req: TurnRequest): AsyncIterable<AgentEvent>;
  /** Starts a fresh session under the same key; the old transcript is archived, not deleted. */
  resetSession(sessionKey: string): Promise<void>;
  /** Switches the model for later turns of this runner. */
  setModel(model: string): void;
  /** Token totals of a session so far. */
  sessionUsage(sessionKey: string): Promise<Usage>;
}
