import type { Config } from "../config/schema.js";
import { configSchema } from "../config/schema.js";
import { createBuiltinTools } from "./builtin.js";
import { catalogEntryOf, type ToolCatalogEntry } from "./lazy-tool.js";

/**
 * The built-in tools' catalog entries computed from their factory: what the build embeds, and what
 * source mode (tests) uses. `tools` defaults to the default config's.
 */
export function liveBuiltinCatalog(
  tools: Config["tools"] = configSchema.parse({}).tools,
): ToolCatalogEntry[] {
  return createBuiltinTools({ tools }).map(catalogEntryOf);
}
