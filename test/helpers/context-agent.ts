/** An Agent wired to a real provider adapter against a fake server, for the context/memory tests. */
import { mkdtempSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as z from "zod";
import { Agent } from "../../src/core/agent/agent.js";
import type { AgentEvent } from "../../src/core/agent/events.js";
import type { ContextSettings } from "../../src/core/context/context-keeper.js";
import { SessionStore } from "../../src/core/session/session-store.js";
import { ToolRegistry } from "../../src/core/tools/registry.js";
import { defineTool } from "../../src/core/tools/types.js";
import { UsageLog } from "../../src/core/usage.js";
import type { Provider } from "../../src/providers/types.js";

/** A tool whose result is sizeable, so turns with tool calls weigh like real ones. */
export const lookup = defineTool({
  name: "lookup",
  description: "Looks a topic up.",
  parameters: z.object({ topic: z.string() }),
  capabilities: { readOnly: true },
  run: async ({ topic }) => `Facts about ${topic}: ${"detail ".repeat(200)}`,
});

export interface ContextAgent {
  agent: Agent;
  workspace: string;
  sessions: SessionStore;
  logs: string[];
  run(input: string, sessionKey?: string): Promise<AgentEvent[]>;
}

export function contextAgent(
  provider: Provider,
  model: string,
  settings: Omit<ContextSettings, "maxTokens"> = {},
  maxTokens = 4_000,
): ContextAgent {
  const workspace = realpathSync(mkdtempSync(join(tmpdir(), "kavilo-ctx-")));
  const tools = new ToolRegistry();
  tools.register(lookup);
  const sessions = new SessionStore(join(workspace, "sessions"));
  const logs: string[] = [];
  const agent = new Agent({
    provider,
    providerName: provider.id,
    model,
    tools,
    sessions,
    usage: new UsageLog(join(workspace, "usage")),
    workspace,
    restrictToWorkspace: true,
    maxIterations: 5,
    maxTokens,
    context: settings,
    log: (line) => logs.push(line),
    warn: (line) => logs.push(`warn: ${line}`),
    buildSystem: async () => "You are a test assistant.",
  });
  return {
    agent,
    workspace,
    sessions,
    logs,
    async run(input, sessionKey = "test:s") {
      const out: AgentEvent[] = [];
      for await (const e of agent.runTurn({ sessionKey, input })) out.push(e);
      return out;
    },
  };
}

/** The provider's tokens of a request as the fakes count them: a quarter of its JSON body's length. */
export function fakeTokens(body: unknown): number {
  return Math.ceil(JSON.stringify(body).length / 4);
}
