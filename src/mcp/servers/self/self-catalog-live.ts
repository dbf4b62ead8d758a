import { toJsonSchemaCompat } from "@modelcontextprotocol/sdk/server/zod-json-schema-compat.js";
import { inputSchemaOf } from "../../../core/tools/input-schema.js";
import type { SelfToolSpec } from "./self-catalog-spec.js";
import type { SelfDeps } from "./self-tool.js";
import { createSelfTools } from "./tools.js";

function unused(what: string): never {
  throw new Error(`the self tool catalog read ${what}: a tool's listing must not depend on SelfDeps`);
}

/** Deps that fail when read: building the tools must not touch them. */
export function inertSelfDeps(): SelfDeps {
  return {
    get basePaths(): never {
      return unused("basePaths");
    },
    config: () => unused("config()"),
    status: () => unused("status()"),
  };
}

/** The self tools' catalog computed from createSelfTools: what the build embeds and source mode uses. */
export function liveSelfCatalog(deps: SelfDeps = inertSelfDeps()): SelfToolSpec[] {
  return createSelfTools(deps).map((tool) => ({
    name: tool.name,
    title: tool.title,
    description: tool.description,
    readOnly: tool.readOnly,
    ...(tool.openWorld !== undefined ? { openWorld: tool.openWorld } : {}),
    inputSchema: inputSchemaOf(tool.input),
    // As McpServer converts a tool's input schema for tools/list (server/mcp.js).
    mcpInputSchema: toJsonSchemaCompat(tool.input, { strictUnions: true, pipeStrategy: "input" }),
  }));
}
