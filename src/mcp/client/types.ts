import type { Tool } from "../../core/tools/types.js";

/**
 * Logs in again for the larger scope a server demanded (403 insufficient_scope): interactive
 * front-ends only (a browser login). Resolves true once a new token is stored.
 */
export type McpStepUp = (alias: string) => Promise<boolean>;

export interface McpServerStatus {
  alias: string;
  transport: "stdio" | "http";
  state: "connected" | "failed" | "disabled" | "not-started";
  error?: string;
  toolCount: number;
}

export interface McpPool {
  /**
   * Connects every enabled server that is not connected yet, concurrently. Call it before every
   * turn: a failed or closed server is tried again once its backoff (30 s doubling to 5 min)
   * has passed, and is otherwise skipped at no cost.
   */
  connect(): Promise<void>;
  /**
   * The tools of connected servers, named mcp_<alias>_<tool>, plus one mcp_<alias>_login_required
   * for each server that refused kavilo for lack of credentials. Changes as servers come and go.
   */
  tools(): Tool[];
  status(): McpServerStatus[];
  /** Aliases whose connect is in flight, for "waiting for MCP server ..." lines. */
  pending(): string[];
  close(): Promise<void>;
}
