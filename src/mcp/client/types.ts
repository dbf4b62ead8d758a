import type { Tool } from "../../core/tools/types.js";

export interface McpServerStatus {
  alias: string;
  transport: "stdio" | "http";
  state: "connected" | "failed" | "disabled" | "not-started";
  error?: string;
  toolCount: number;
}

export interface McpPool {
  /** Connects every enabled server concurrently; safe to call again (one attempt per pool). */
  connect(): Promise<void>;
  /** The tools of connected servers, named mcp_<alias>_<tool>. */
  tools(): Tool[];
  status(): McpServerStatus[];
  close(): Promise<void>;
}
