import { mkdtempSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Agent } from "../../src/core/agent/agent.js";
import { SessionStore } from "../../src/core/session/session-store.js";
import { ToolRegistry } from "../../src/core/tools/registry.js";
import { UsageLog } from "../../src/core/usage.js";
import type { Provider } from "../../src/providers/types.js";

const provider: Provider = {
  id: "quiet",
  async *stream() {
    yield { type: "text-delta", text: "ok" };
    yield { type: "done", stopReason: "stop", usage: { inputTokens: 1, outputTokens: 1 } };
  },
} as Provider;

function agentWith(prepareTools: () => Promise<void>) {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "kavilo-prepare-")));
  return new Agent({
    provider,
    providerName: "quiet",
    model: "m",
    tools: new ToolRegistry(),
    prepareTools,
    sessions: new SessionStore(join(dir, "sessions")),
    usage: new UsageLog(join(dir, "usage")),
    workspace: dir,
    restrictToWorkspace: true,
    maxIterations: 2,
    buildSystem: async () => "system",
  });
}

async function drain(it: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of it);
}

describe("Agent prepareTools", () => {
  it("runs before every turn (MCP servers that failed get retried), shared by concurrent turns", async () => {
    let calls = 0;
    let release: () => void = () => {};
    const agent = agentWith(async () => {
      calls++;
      if (calls === 1) await new Promise<void>((r) => (release = r));
    });
    const a = drain(agent.runTurn({ sessionKey: "a", input: "hi" }));
    const b = drain(agent.runTurn({ sessionKey: "b", input: "hi" }));
    await new Promise((r) => setTimeout(r, 50));
    release();
    await Promise.all([a, b]);
    expect(calls).toBe(1);
    await drain(agent.runTurn({ sessionKey: "a", input: "again" }));
    expect(calls).toBe(2);
  });
});
