import agent from "./commands/agent.js";
import type { FastInvocation } from "./fast-argv.js";
import { staticContextDeps } from "./fast-context.js";
import { contextLoader, runCommand } from "./invoke.js";

/** `agent -m ...` on the fast path: the command and the context imported with this module, at once. */
export default async function runFastAgent(
  invocation: Extract<FastInvocation, { command: "agent" }>,
  debug: boolean,
): Promise<void> {
  const ctx = await contextLoader(debug, staticContextDeps)(invocation.flags);
  await runCommand(ctx, async () => ({ default: agent }), [invocation.options]);
}
