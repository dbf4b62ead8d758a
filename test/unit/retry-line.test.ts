import { describe, expect, it } from "vitest";
import { retryLine } from "../../src/cli/retry-line.js";
import { applyEvent, newTurn } from "../../src/cli/tui/turn-state.js";

describe("retry status line", () => {
  it("says provider, status, wait and attempt", () => {
    const ev = {
      type: "retry",
      attempt: 2,
      delayMs: 4000,
      reason: "server 503: busy",
      fresh: false,
    } as const;
    expect(retryLine("openai", { ...ev, maxRetries: 4, status: 503 })).toBe(
      "openai: 503, retrying in 4 s (2/4)",
    );
    expect(retryLine("anthropic", { ...ev, delayMs: 250, reason: "timeout: no answer" })).toBe(
      "anthropic: timeout, retrying in 0.3 s (attempt 2)",
    );
  });

  it("the TUI spinner shows it until the next event of the turn", () => {
    let turn = applyEvent(
      newTurn(1),
      { type: "turn-start", sessionKey: "k", provider: "openai", model: "m" },
      0,
    );
    turn = applyEvent(
      turn,
      {
        type: "retry",
        attempt: 1,
        delayMs: 2000,
        reason: "server 503: x",
        fresh: false,
        maxRetries: 4,
        status: 503,
      },
      1,
    );
    expect(turn.retrying).toBe("openai: 503, retrying in 2 s (1/4)");
    turn = applyEvent(turn, { type: "text-delta", text: "hi" }, 2);
    expect(turn.retrying).toBeUndefined();
  });
});
