import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { CallToolResultSchema, type Tool as McpListedTool } from "@modelcontextprotocol/sdk/types.js";
import * as z from "zod";
import { findMcpAuthRequired } from "../../auth/mcp/auth-required-error.js";
import { type Tool, ToolError, type ToolResult } from "../../core/tools/types.js";
import type { CallRouter } from "./elicitation.js";
import { mapCallToolResult } from "./result-map.js";
import { describeMcpTool } from "./tool-name.js";
import type { McpStepUp } from "./types.js";

const anyArgs = z.record(z.string(), z.unknown());

/** A Tool backed by an MCP server; `inputSchema` is the server's JSON Schema, given to the model as is. */
export interface McpTool extends Tool<typeof anyArgs> {
  inputSchema: Record<string, unknown>;
  server: string;
  upstreamName: string;
}

export interface McpToolInit {
  name: string;
  alias: string;
  serverDescription: string | undefined;
  listed: McpListedTool;
  client: Client;
  router: CallRouter;
  callTimeoutMs: number;
  stepUp?: McpStepUp;
}

/** The result with a line per server request answered during the call (what the user was asked). */
function withNotes(result: ToolResult, notes: string[]): ToolResult {
  if (notes.length === 0) return result;
  const parts =
    typeof result.content === "string" ? [{ type: "text" as const, text: result.content }] : result.content;
  return { ...result, content: [...parts, { type: "text", text: notes.join("\n") }] };
}

export function createMcpTool(init: McpToolInit): McpTool {
  const { listed, client, alias } = init;
  const readOnly = listed.annotations?.readOnlyHint === true;
  return {
    name: init.name,
    description: describeMcpTool(init.serverDescription, listed.description ?? listed.title ?? ""),
    parameters: anyArgs,
    inputSchema: { ...listed.inputSchema },
    server: alias,
    upstreamName: listed.name,
    capabilities: { readOnly, sideEffect: !readOnly },
    async run(args, ctx): Promise<ToolResult> {
      const scope = { interaction: ctx.interaction, signal: ctx.signal, notes: [] as string[] };
      const call = () =>
        init.router.run(scope, () =>
          client.callTool({ name: listed.name, arguments: args }, CallToolResultSchema, {
            signal: ctx.signal,
            timeout: init.callTimeoutMs,
          }),
        );
      try {
        let result: Awaited<ReturnType<typeof call>>;
        try {
          result = await call();
        } catch (err) {
          // Refused for lack of scope: an interactive front-end logs in for more, then one retry.
          const refused = findMcpAuthRequired(err);
          if (refused?.source.kind !== "scope" || !init.stepUp) throw err;
          if (!(await init.stepUp(alias).catch(() => false))) throw err;
          result = await call();
        }
        return withNotes(mapCallToolResult(CallToolResultSchema.parse(result)), scope.notes);
      } catch (err) {
        const authRequired = findMcpAuthRequired(err);
        if (authRequired) return withNotes({ content: authRequired.message, isError: true }, scope.notes);
        const notes = scope.notes.length ? ` ${scope.notes.join(" ")}` : "";
        throw new ToolError(`MCP server ${alias}: ${(err as Error).message}${notes}`);
      }
    },
  };
}
