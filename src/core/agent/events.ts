import type { StreamEvent, Usage } from "../../providers/types.js";

export type TurnEndReason = "stop" | "max-iterations" | "aborted" | "error";

/**
 * What a running turn reports. The TUI, `agent -m`, channels and MCP all subscribe to these;
 * the loop itself never writes to a terminal.
 */
export type AgentEvent =
  | { type: "turn-start"; sessionKey: string; provider: string; model: string }
  | { type: "text-delta"; text: string }
  | { type: "reasoning-delta"; text: string }
  | { type: "tool-call-start"; id: string; name: string; args: unknown }
  | {
      type: "tool-call-end";
      id: string;
      name: string;
      ok: boolean;
      /** What the model will read, possibly truncated for display. */
      output: string;
      durationMs: number;
    }
  | { type: "usage"; usage: Usage; provider: string; model: string }
  | Extract<StreamEvent, { type: "retry" }>
  | { type: "error"; message: string; status?: number; hint?: string; code?: string }
  | {
      type: "turn-end";
      reason: TurnEndReason;
      /** The final answer text (all text of the turn's last step). */
      text: string;
      usage: Usage;
      iterations: number;
    };
