import { type LazyTool, lazyToolsFrom } from "../../../core/tools/lazy-tool.js";
import { AGENT_TOOL_PREFIX, agentCapabilities } from "./agent-tool-shape.js";
import { type SelfToolSpec, selfToolCatalog } from "./self-catalog-spec.js";
import type { SelfDeps } from "./self-tool.js";

// The catalog itself has its own module, so `mcp serve self` reads it without the agent's lazy-tool code.
export { type SelfToolSpec, selfToolCatalog };

/**
 * selfToolsAsAgentTools(deps, opts) from the catalog: the same names, descriptions, schemas and
 * capabilities, and the self tools' modules loaded on the first call of any of them.
 */
export function lazySelfAgentTools(
  catalog: readonly SelfToolSpec[],
  deps: SelfDeps,
  opts: { exclude?: readonly string[] } = {},
): LazyTool[] {
  const excluded = new Set(opts.exclude ?? []);
  const entries = catalog
    .filter((spec) => !excluded.has(spec.name))
    .map((spec) => ({
      name: `${AGENT_TOOL_PREFIX}${spec.name}`,
      description: spec.description,
      capabilities: agentCapabilities(spec.readOnly),
      inputSchema: spec.inputSchema,
    }));
  return lazyToolsFrom(entries, async () =>
    (await import("./agent-tools.js")).selfToolsAsAgentTools(deps, opts),
  );
}
