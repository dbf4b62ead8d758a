import { embeddedToolCatalog } from "../../../core/tools/embedded-catalog.js";

/** One self tool as `mcp serve self` lists it (no `kavilo_` prefix), without its zod schema. */
export interface SelfToolSpec {
  name: string;
  title: string;
  description: string;
  readOnly: boolean;
  openWorld?: boolean;
  /** The input's JSON Schema as the agent's registry converts it (core/tools/input-schema.ts). */
  inputSchema: Record<string, unknown>;
  /**
   * The input's JSON Schema as McpServer lists it (the SDK's converter: draft-07, `$schema` included):
   * what `mcp serve self` answers tools/list with.
   */
  mcpInputSchema: Record<string, unknown>;
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
