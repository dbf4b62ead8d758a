import type { CliContext } from "../context.js";
import { notAvailable } from "../errors.js";

// Slack MCP login has no issue scheduled yet: each verb says so and exits 2.
export async function login(_ctx: CliContext): Promise<number> {
  notAvailable("mcp slack login");
}
export async function status(_ctx: CliContext): Promise<number> {
  notAvailable("mcp slack status");
}
export async function logout(_ctx: CliContext): Promise<number> {
  notAvailable("mcp slack logout");
}
