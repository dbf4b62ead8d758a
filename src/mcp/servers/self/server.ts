import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { type ListedTool, serveListedTools } from "../listed-tools.js";
import { LazyJsonSchemaValidator } from "./lazy-validator.js";
import { type SelfToolSpec, selfToolCatalog } from "./self-catalog-spec.js";
import type { SelfDeps } from "./self-tool.js";

export interface SelfServerInfo {
  name?: string;
  version: string;
}

/** What the self server tells a client about itself (initialize's instructions). */
export const SELF_INSTRUCTIONS =
  "kavilo is the user's personal AI agent (terminal, Telegram, Slack, cron). These tools read its state: " +
  "status, sessions, channels, MCP servers, cron jobs and token usage, and log in to its MCP servers. " +
  "Secrets are never returned.";

/** A self tool as tools/list shows it: its catalog entry with the schema McpServer would give. */
function listed(spec: SelfToolSpec): ListedTool {
  return {
    name: spec.name,
    title: spec.title,
    description: spec.description,
    readOnly: spec.readOnly,
    ...(spec.openWorld !== undefined ? { openWorld: spec.openWorld } : {}),
    inputSchema: spec.mcpInputSchema,
  };
}

/**
 * The `self` MCP server: kavilo's own state as tools. Connect it to any transport. It answers as an
 * McpServer with the self tools registered would, but lists them from the tool catalog and loads
 * their modules (and zod schemas) on the first tools/call: start-up is an editor's wait.
 */
export function createSelfServer(deps: SelfDeps, info: SelfServerInfo): Server {
  const server = new Server(
    { name: info.name ?? "kavilo", version: info.version },
    { instructions: SELF_INSTRUCTIONS, jsonSchemaValidator: new LazyJsonSchemaValidator() },
  );
  let listing: Promise<ListedTool[]> | undefined;
  serveListedTools(server, {
    listing: () => (listing ??= selfToolCatalog().then((catalog) => catalog.map(listed))),
    load: async () => {
      const [{ createSelfTools }, { runSelfTool }] = await Promise.all([
        import("./tools.js"),
        import("./result.js"),
      ]);
      return { tools: createSelfTools(deps), run: (tool, args) => runSelfTool(tool, args, deps) };
    },
    openWorld: false,
  });
  return server;
}
