import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { CallToolResultSchema, type Tool as McpListedTool } from "@modelcontextprotocol/sdk/types.js";
import * as z from "zod";
import { McpAuthRequiredError } from "../../auth/mcp/auth-required-error.js";
import { type Tool, ToolError, type ToolResult } from "../../core/tools/types.js";
import { mapCallToolResult } from "./result-map.js";
import { describeMcpTool } from "./tool-name.js";

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
  callTimeoutMs: number;
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
      try {
        const result = await client.callTool({ name: listed.name, arguments: args }, CallToolResultSchema, {
          signal: ctx.signal,
          timeout: init.callTimeoutMs,
        });
        return mapCallToolResult(CallToolResultSchema.parse(result));
      } catch (err) {
        if (err instanceof McpAuthRequiredError) return { content: err.message, isError: true };
        throw new ToolError(`MCP server ${alias}: ${(err as Error).message}`);
      }
    },
  };
}
