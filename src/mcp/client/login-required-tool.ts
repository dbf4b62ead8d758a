import * as z from "zod";
import type { Tool } from "../../core/tools/types.js";
import { mcpToolName } from "./tool-name.js";

const noArgs = z.object({}).loose();

/**
 * Stands in for the tools of a server that refused kavilo for lack of credentials, so the
 * model learns why they are missing and can pass the one-line fix on to the user.
 */
export function createLoginRequiredTool(alias: string, line: string): Tool<typeof noArgs> {
  return {
    name: mcpToolName(alias, "login_required"),
    description:
      `The MCP server "${alias}" needs a login before its tools are available. ` +
      "Call this to get the exact instruction to give the user.",
    parameters: noArgs,
    capabilities: { readOnly: true, sideEffect: false },
    async run() {
      return { content: line, isError: true };
    },
  };
}
