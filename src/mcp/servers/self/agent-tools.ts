import type { Tool } from "../../../core/tools/types.js";
import { runSelfTool } from "./result.js";
import type { SelfDeps } from "./self-tool.js";
import { createSelfTools } from "./tools.js";

export const AGENT_TOOL_PREFIX = "kavilo_";

/**
 * The self tools as in-process agent tools (`kavilo_status`, `kavilo_list_sessions`, ...), so
 * `kavilo agent` and `kavilo start` offer them without spawning `kavilo mcp serve self`.
 * Answers are redacted exactly as over MCP.
 */
export function selfToolsAsAgentTools(deps: SelfDeps, opts: { exclude?: readonly string[] } = {}): Tool[] {
  const excluded = new Set(opts.exclude ?? []);
  return createSelfTools(deps)
    .filter((tool) => !excluded.has(tool.name))
    .map(
      (tool): Tool => ({
        name: `${AGENT_TOOL_PREFIX}${tool.name}`,
        description: tool.description,
        parameters: tool.input,
        capabilities: { readOnly: tool.readOnly, sideEffect: !tool.readOnly },
        async run(args) {
          const outcome = await runSelfTool(tool, args);
          return { content: outcome.text, ...(outcome.isError ? { isError: true } : {}) };
        },
      }),
    );
}
