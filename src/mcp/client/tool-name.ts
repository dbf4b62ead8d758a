import { createHash } from "node:crypto";

/** Longest tool name the provider APIs accept. */
export const MAX_TOOL_NAME = 64;

/**
 * `mcp_<alias>_<tool>` limited to [a-zA-Z0-9_-] and 64 characters. A longer name keeps its
 * start and gets a hash of the original alias and tool, so it stays the same across runs
 * and two long names that share a prefix still differ.
 */
export function mcpToolName(alias: string, tool: string): string {
  const name = `mcp_${alias}_${tool}`.replace(/[^a-zA-Z0-9_-]/g, "_");
  if (name.length <= MAX_TOOL_NAME) return name;
  const hash = createHash("sha256").update(`${alias}\u0000${tool}`).digest("hex").slice(0, 8);
  return `${name.slice(0, MAX_TOOL_NAME - hash.length - 1)}_${hash}`;
}

/** `[server: <text>]\n<upstream>` when the config describes the server; unchanged otherwise. */
export function describeMcpTool(serverDescription: string | undefined, upstream: string): string {
  const text = serverDescription?.trim();
  return text ? `[server: ${text}]\n${upstream}` : upstream;
}
