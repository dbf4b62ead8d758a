import serve from "./commands/mcp-serve.js";
import type { FastInvocation } from "./fast-argv.js";
import { staticContextDeps } from "./fast-context.js";
import { contextLoader, runCommand } from "./invoke.js";

/** `mcp serve <server>` on the fast path: the command and the context imported with this module. */
export default async function runFastServe(
  invocation: Extract<FastInvocation, { command: "mcp serve" }>,
  debug: boolean,
): Promise<void> {
  const ctx = await contextLoader(debug, staticContextDeps)(invocation.flags);
  await runCommand(ctx, async () => ({ default: serve }), [invocation.server, invocation.options]);
}
