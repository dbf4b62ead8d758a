import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type * as z from "zod";

/** What the self and slack servers' tools share: enough to register one on an McpServer. */
export interface ServedTool {
  name: string;
  title: string;
  description: string;
  input: z.ZodObject;
  readOnly: boolean;
  openWorld?: boolean;
}

/** A tool's answer, already redacted: JSON text, or one error line. */
export interface ServedOutcome {
  text: string;
  isError: boolean;
}

/** The annotations a served tool is listed with; `openWorld` is the hint of a tool that does not say. */
export function toolAnnotations(
  tool: Pick<ServedTool, "title" | "readOnly" | "openWorld">,
  openWorld: boolean,
): { title: string; readOnlyHint: boolean; destructiveHint: false; openWorldHint: boolean } {
  return {
    title: tool.title,
    readOnlyHint: tool.readOnly,
    destructiveHint: false,
    openWorldHint: tool.openWorld ?? openWorld,
  };
}

/**
 * Registers each tool on `server`, answering with what `run` returns as one text block.
 * `openWorld` is the openWorldHint of a tool that does not say.
 */
export function registerTools<T extends ServedTool>(
  server: McpServer,
  tools: readonly T[],
  run: (tool: T, args: unknown) => Promise<ServedOutcome>,
  opts: { openWorld: boolean },
): void {
  for (const tool of tools) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.input,
        annotations: toolAnnotations(tool, opts.openWorld),
      },
      async (args) => {
        const outcome = await run(tool, args);
        return {
          content: [{ type: "text", text: outcome.text }],
          ...(outcome.isError ? { isError: true } : {}),
        };
      },
    );
  }
}
