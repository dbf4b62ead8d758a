import { describe, expect, it } from "vitest";
import type { AgentEvent } from "../../src/core/agent/events.js";
import { runTurnToEnd } from "../../src/core/bus/run-turn.js";

const usage = { input: 0, output: 0 };

function agentSaying(...events: AgentEvent[]) {
  return {
    async *runTurn() {
      yield* events;
    },
  };
}

const req = { sessionKey: "telegram:1", message: "hi" } as never;

describe("runTurnToEnd (what a chat or a cron job is told)", () => {
  it("an auth failure keeps its fix: a missing login says the login command", async () => {
    const out = await runTurnToEnd(
      agentSaying(
        {
          type: "error",
          message: "No Codex login at /h/.codex/auth.json",
          code: "auth",
          hint: "run `codex login`",
        },
        { type: "turn-end", reason: "error", text: "", usage, iterations: 0 },
      ) as never,
      req,
    );
    expect(out.error).toBe("No Codex login at /h/.codex/auth.json; run `codex login`");
  });

  it("other failures are their message alone", async () => {
    const out = await runTurnToEnd(
      agentSaying(
        { type: "error", message: "openai returned 502: Bad Gateway", code: "server", hint: "ask again" },
        { type: "turn-end", reason: "error", text: "", usage, iterations: 0 },
      ) as never,
      req,
    );
    expect(out.error).toBe("openai returned 502: Bad Gateway");
  });
});
