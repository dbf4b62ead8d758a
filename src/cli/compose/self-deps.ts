import type { SelfDeps } from "../../mcp/servers/self/self-tool.js";
import type { CliContext } from "../context.js";

/**
 * The self tools' view of a CLI context. Nothing is read until a tool is called. Its own module, so
 * `kavilo mcp serve self` does not load the agent's tool registry (compose/tools.ts) to get it.
 */
export function selfDepsOf(ctx: CliContext): SelfDeps {
  return {
    basePaths: ctx.basePaths,
    config: () => {
      const { config, paths } = ctx.config();
      return { config, paths };
    },
    status: async () => {
      const [{ buildStatus }, { serviceProbe }] = await Promise.all([
        import("../../diagnostics/status-report.js"),
        import("../service/check.js"),
      ]);
      return buildStatus(ctx, { connectMcp: false, extra: [serviceProbe(ctx.home, ctx.env)] });
    },
  };
}
