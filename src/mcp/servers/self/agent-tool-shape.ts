import type { ToolCapabilities } from "../../../core/tools/types.js";

/** What the self tools are called as agent tools: `kavilo_status`, `kavilo_list_sessions`, ... */
export const AGENT_TOOL_PREFIX = "kavilo_";

/** A self tool's agent capabilities: whatever does not only read has a side effect. */
export function agentCapabilities(readOnly: boolean): ToolCapabilities {
  return { readOnly, sideEffect: !readOnly };
}
