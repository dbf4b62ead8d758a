import type * as z from "zod";
import type { ContentPart } from "../../providers/types.js";
import type { Interaction } from "../agent/interaction.js";
import type { ChannelTarget } from "../bus/types.js";

export interface ToolContext {
  /** Absolute, real path of the workspace. */
  workspace: string;
  restrictToWorkspace: boolean;
  signal: AbortSignal;
  sessionKey: string;
  /** The chat the turn came from, when it came from a channel. */
  origin?: ChannelTarget;
  /** Who to ask (approvals, MCP elicitation) in this turn; absent when nobody can be asked. */
  interaction?: Interaction;
}

export interface ToolResult {
  content: string | ContentPart[];
  isError?: boolean;
}

export interface ToolCapabilities {
  /** Reads state only. */
  readOnly?: boolean;
  /** Changes something outside the conversation (files, processes, messages). */
  sideEffect?: boolean;
}

export interface Tool<P extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  parameters: P;
  capabilities: ToolCapabilities;
  /** Returns the result; throwing a ToolError (or anything) becomes an error result the model reads. */
  run(args: z.infer<P>, ctx: ToolContext): Promise<ToolResult | string>;
}

/** An error meant for the model: its message is the tool result. */
export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ToolError";
  }
}

/** Helps type-check a tool's run() against its zod parameters. */
export function defineTool<P extends z.ZodType>(tool: Tool<P>): Tool<P> {
  return tool;
}
