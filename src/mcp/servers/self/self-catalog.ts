import { embeddedToolCatalog } from "../../../core/tools/embedded-catalog.js";
import { type LazyTool, lazyToolsFrom } from "../../../core/tools/lazy-tool.js";
import { AGENT_TOOL_PREFIX, agentCapabilities } from "./agent-tool-shape.js";
import type { SelfDeps } from "./self-tool.js";

/** One self tool as `mcp serve self` lists it (no `kavilo_` prefix), without its zod schema. */
export interface SelfToolSpec {
  name: string;
  title: string;
  description: string;
  readOnly: boolean;
  openWorld?: boolean;
  /** The input's JSON Schema as the agent's registry converts it (core/tools/input-schema.ts). */
  inputSchema: Record<string, unknown>;
}

/**
 * Every self tool, in createSelfTools' order, unprefixed and with send_channel_message: compiled in
 * by the build; from source, computed from createSelfTools (self-catalog-live.ts). Nothing in it
 * depends on SelfDeps (test/unit/tool-catalog.test.ts).
 */
export async function selfToolCatalog(): Promise<SelfToolSpec[]> {
  return (
    embeddedToolCatalog<SelfToolSpec[]>("self") ?? (await import("./self-catalog-live.js")).liveSelfCatalog()
  );
}

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
