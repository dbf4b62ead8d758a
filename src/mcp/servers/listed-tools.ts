import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  getParseErrorMessage,
  normalizeObjectSchema,
  safeParseAsync,
} from "@modelcontextprotocol/sdk/server/zod-compat.js";
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
} from "@modelcontextprotocol/sdk/types.js";
import { loadOnce } from "../../core/base/load-once.js";
import { type ServedOutcome, type ServedTool, toolAnnotations } from "./register-tools.js";

/** A served tool as tools/list shows it, known without loading it (from the tool catalog). */
export interface ListedTool extends Omit<ServedTool, "input"> {
  /** The input's JSON Schema exactly as McpServer lists it (draft-07, `$schema` included). */
  inputSchema: Record<string, unknown>;
}

/** The tools behind a listing, once loaded, and how to run one. */
export interface LoadedTools<T extends ServedTool> {
  tools: readonly T[];
  run(tool: T, args: unknown): Promise<ServedOutcome>;
}

export interface ListedToolsOptions<T extends ServedTool> {
  /** What tools/list answers with, in order. */
  listing(): Promise<readonly ListedTool[]>;
  /** Loads the tools (their modules and zod schemas): on the first tools/call, once; retried if it fails. */
  load(): Promise<LoadedTools<T>>;
  /** The openWorldHint of a tool that does not say. */
  openWorld: boolean;
}

/** McpServer's answer for a call that failed: the error's message as the result (server/mcp.js). */
function toolError(message: string): CallToolResult {
  return { content: [{ type: "text", text: message }], isError: true };
}

/**
 * Serves tools on the SDK's low-level Server as McpServer's registerTool would (same capability,
 * tools/list entries, validation, results and error texts), but listing them from `listing()` and
 * loading their implementations only when one is first called: answering initialize and tools/list
 * loads none of them. Call before connect().
 */
export function serveListedTools<T extends ServedTool>(server: Server, opts: ListedToolsOptions<T>): void {
  const load = loadOnce(opts.load);

  server.registerCapabilities({ tools: { listChanged: true } });

  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: (await opts.listing()).map((tool) => ({
      name: tool.name,
      title: tool.title,
      description: tool.description,
      inputSchema: tool.inputSchema,
      annotations: toolAnnotations(tool, opts.openWorld),
      // What registerTool records for a tool without task support.
      execution: { taskSupport: "forbidden" as const },
    })),
  }));

  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const { name } = request.params;
    try {
      if (!(await opts.listing()).some((t) => t.name === name)) {
        throw new McpError(ErrorCode.InvalidParams, `Tool ${name} not found`);
      }
      const { tools, run } = await load();
      const tool = tools.find((t) => t.name === name);
      if (!tool) throw new Error(`${name}: listed, but its implementation has no tool of that name`);
      const parsed = await safeParseAsync(
        normalizeObjectSchema(tool.input) ?? tool.input,
        request.params.arguments ?? {},
      );
      if (!parsed.success) {
        throw new McpError(
          ErrorCode.InvalidParams,
          `Input validation error: Invalid arguments for tool ${name}: ${getParseErrorMessage(parsed.error)}`,
        );
      }
      const outcome = await run(tool, parsed.data);
      return {
        content: [{ type: "text" as const, text: outcome.text }],
        ...(outcome.isError ? { isError: true } : {}),
      };
    } catch (error) {
      if (error instanceof McpError && error.code === ErrorCode.UrlElicitationRequired) throw error;
      return toolError(error instanceof Error ? error.message : String(error));
    }
  });
}
