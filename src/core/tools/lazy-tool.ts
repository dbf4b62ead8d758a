import { loadOnce } from "../base/load-once.js";
import { inputSchemaOf } from "./input-schema.js";
import type { Tool, ToolCapabilities } from "./types.js";

/** What the model is told about a tool: a tool catalog's entry (JSON, no zod). */
export interface ToolCatalogEntry {
  name: string;
  description: string;
  capabilities: ToolCapabilities;
  /** The arguments' JSON Schema, as ToolRegistry.specs() gives it to the provider. */
  inputSchema: Record<string, unknown>;
}

/**
 * A tool whose implementation (and its zod schema) is loaded on its first call: listing it to the
 * model costs no module load. `load()` gives the real tool, whose name, description and schema are
 * the same as this entry's.
 */
export interface LazyTool extends ToolCatalogEntry {
  load(): Promise<Tool>;
}

export function isLazyTool(tool: Tool | LazyTool): tool is LazyTool {
  return typeof (tool as Partial<LazyTool>).load === "function" && !("run" in tool);
}

/**
 * Lazy tools for `entries`, all implemented by what `loadAll()` builds (one module's factory): it runs
 * on the first call of any of them, once (a failure is retried on the next call), and each picks its
 * tool by name.
 */
export function lazyToolsFrom(
  entries: readonly ToolCatalogEntry[],
  loadAll: () => Promise<Tool[]>,
): LazyTool[] {
  const all = loadOnce(loadAll);
  const loadOne = async (name: string): Promise<Tool> => {
    const tool = (await all()).find((t) => t.name === name);
    if (!tool) throw new Error(`its implementation has no tool named "${name}"`);
    return tool;
  };
  return entries.map((entry) => ({ ...entry, load: () => loadOne(entry.name) }));
}

/** A tool's catalog entry: what ToolRegistry.specs() would tell the model about it. */
export function catalogEntryOf(tool: Tool): ToolCatalogEntry {
  return {
    name: tool.name,
    description: tool.description,
    capabilities: tool.capabilities,
    inputSchema: inputSchemaOf(tool.parameters),
  };
}
