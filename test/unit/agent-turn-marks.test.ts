import { mkdtempSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Agent } from "../../src/core/agent/agent.js";
import type { AgentEvent } from "../../src/core/agent/events.js";
import { SessionStore } from "../../src/core/session/session-store.js";
import { ToolRegistry } from "../../src/core/tools/registry.js";
import { UsageLog } from "../../src/core/usage.js";
import type { Provider } from "../../src/providers/types.js";
import { ProviderError } from "../../src/providers/types.js";
import { scripted } from "../helpers/scripted-provider.js";

function setup(provider: Provider) {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "kavilo-marks-")));
  const sessions = new SessionStore(join(dir, "sessions"));
  const agent = new Agent({
    provider,
    providerName: "scripted",
    model: "m",
    tools: new ToolRegistry(),
    sessions,
    usage: new UsageLog(join(dir, "usage")),
    workspace: dir,
    restrictToWorkspace: true,
    maxIterations: 5,
    buildSystem: async () => "system",
  });
  return { agent, sessions };
}

async function drain(it: AsyncIterable<AgentEvent>): Promise<AgentEvent[]> {
  const out: AgentEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

const stored = async (sessions: SessionStore, key: string) =>
  (await new SessionStore(sessions.dir).load(key)).messages;

describe("what the session keeps of a turn that did not finish", () => {
  it("keeps the partial text of a broken stream marked incomplete, not as a finished answer", async () => {
    const p = scripted(async function* () {
      yield { type: "text-delta", text: "The answer is" };
      yield {
        type: "error",
        error: new ProviderError("cut", { code: "network", provider: "scripted" }),
        retryable: true,
      };
    });
    const { agent, sessions } = setup(p);
    const evs = await drain(agent.runTurn({ sessionKey: "s", input: "question" }));
    expect(evs.at(-1)).toMatchObject({ type: "turn-end", reason: "error" });
    expect(await stored(sessions, "s")).toEqual([
      { role: "user", content: "question" },
      { role: "assistant", content: "The answer is\n[incomplete: the answer was cut off]" },
    ]);
  });

  it("saves the user's message and [aborted] when the turn is stopped before any text", async () => {
    const ctrl = new AbortController();
    const p = scripted(async function* (_r, signal) {
      ctrl.abort();
      if (signal?.aborted) {
        yield {
          type: "error",
          error: new ProviderError("request aborted", { code: "aborted", provider: "scripted" }),
          retryable: false,
        };
      }
    });
    const { agent, sessions } = setup(p);
    await drain(agent.runTurn({ sessionKey: "s", input: "long job", signal: ctrl.signal }));
    expect(await stored(sessions, "s")).toEqual([
      { role: "user", content: "long job" },
      { role: "assistant", content: "[aborted]" },
    ]);
  });

  it("a stopped turn asked again stores the user's message once and continues from it", async () => {
    const ctrl = new AbortController();
    const p = scripted(async function* (_r, signal, call) {
      if (call === 0) {
        yield { type: "text-delta", text: "Work" };
        ctrl.abort();
        if (signal?.aborted) {
          yield {
            type: "error",
            error: new ProviderError("request aborted", { code: "aborted", provider: "scripted" }),
            retryable: false,
          };
        }
        return;
      }
      yield { type: "text-delta", text: "Done." };
      yield { type: "finish", reason: "stop" };
    });
    const { agent, sessions } = setup(p);
    await drain(agent.runTurn({ sessionKey: "s", input: "do it", signal: ctrl.signal }));
    await drain(agent.runTurn({ sessionKey: "s", input: "do it" }));
    const messages = await stored(sessions, "s");
    expect(messages.filter((m) => m.role === "user")).toEqual([{ role: "user", content: "do it" }]);
    expect(messages.at(-1)).toEqual({ role: "assistant", content: "Done." });
    // The model saw the question once and not the [aborted] placeholder.
    expect(p.requests[1]?.messages).toEqual([{ role: "user", content: "do it" }]);
  });
});
