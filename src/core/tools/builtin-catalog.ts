import type { BuiltinToolsOptions } from "./builtin.js";
import { embeddedToolCatalog } from "./embedded-catalog.js";
import { type LazyTool, lazyToolsFrom, type ToolCatalogEntry } from "./lazy-tool.js";
import { shellDescription } from "./shell-description.js";

/**
 * The built-in tools as the model is told about them: compiled in by the build; from source,
 * computed from createBuiltinTools with the default config (builtin-catalog-live.ts).
 */
export async function builtinToolCatalog(): Promise<ToolCatalogEntry[]> {
  return (
    embeddedToolCatalog<ToolCatalogEntry[]>("builtin") ??
    (await import("./builtin-catalog-live.js")).liveBuiltinCatalog()
  );
}

/**
 * The built-in tools of createBuiltinTools(opts), each loaded (with every other built-in) on its first
 * call. The shell's description names the configured timeout, so it is made from `opts`; nothing else
 * a built-in tells the model depends on options (test/unit/tool-catalog.test.ts).
 */
export function lazyBuiltinTools(
  catalog: readonly ToolCatalogEntry[],
  opts: BuiltinToolsOptions,
): LazyTool[] {
  const entries = catalog.map((entry) =>
    entry.name === "shell" ? { ...entry, description: shellDescription(opts.tools.exec.timeout) } : entry,
  );
  return lazyToolsFrom(entries, async () => (await import("./builtin.js")).createBuiltinTools(opts));
}
