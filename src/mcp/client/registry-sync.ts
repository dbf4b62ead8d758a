import type { ToolRegistry } from "../../core/tools/registry.js";
import type { Tool } from "../../core/tools/types.js";

/**
 * Keeps a registry's MCP tools equal to what the pool offers now: tools of a server that
 * reconnected replace the old ones, a login stand-in goes once the login worked. `mine` holds
 * the names this sync registered, so built-ins are never removed.
 */
export function createRegistrySync(
  registry: ToolRegistry,
  warn: (line: string) => void,
): (tools: Tool[]) => void {
  const mine = new Map<string, Tool>();
  const refused = new Set<string>();
  return (tools) => {
    const wanted = new Map(tools.map((t) => [t.name, t]));
    for (const [name, tool] of mine) {
      if (wanted.get(name) === tool) continue;
      registry.unregister(name);
      mine.delete(name);
    }
    for (const [name, tool] of wanted) {
      if (mine.has(name)) continue;
      try {
        registry.register(tool);
        mine.set(name, tool);
        refused.delete(name);
      } catch (err) {
        // A clash with a built-in stays a clash on every turn; say it once.
        if (!refused.has(name)) warn((err as Error).message);
        refused.add(name);
      }
    }
  };
}
