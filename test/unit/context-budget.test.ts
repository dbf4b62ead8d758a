import { describe, expect, it } from "vitest";
import { contextWindowOf, promptBudget } from "../../src/core/context/context-budget.js";
import { fitHistory, historyFrom } from "../../src/core/context/history-window.js";
import { isContextOverflow, tooLargeLine } from "../../src/core/context/overflow.js";
import { estimateText } from "../../src/core/context/token-estimate.js";
import type { Message } from "../../src/providers/types.js";
import { ProviderError } from "../../src/providers/types.js";

describe("the context budget", () => {
  it("is window × share − maxTokens, the window from the model table or the setting", () => {
    expect(promptBudget({ model: "gpt-4o-mini", maxTokens: 8192 })).toBe(64_000 - 8192);
    expect(promptBudget({ model: "anthropic/claude-sonnet-5-5", maxTokens: 8192 })).toBe(100_000 - 8192);
    expect(promptBudget({ model: "some-local-model", contextBudget: 0.25, maxTokens: 0 })).toBe(32_000);
    expect(promptBudget({ model: "gpt-4o", contextWindow: 8_000, maxTokens: 8192 })).toBe(2048);
    expect(contextWindowOf("openrouter/google/gemini-2.5-flash")).toBe(1_048_576);
    expect(contextWindowOf("gpt-5-mini")).toBe(400_000);
    expect(contextWindowOf("llama3.2")).toBe(128_000);
  });

  it("estimates ASCII at about 4 characters a token and other scripts at one a character", () => {
    expect(estimateText("a".repeat(400))).toBe(100);
    expect(estimateText("日本語のテキスト")).toBe(8);
    // mixed: 6 ASCII characters (1.5), 2 CJK, and an emoji as its two UTF-16 halves
    expect(estimateText("abc日本def😀")).toBe(6);
  });

  it("cuts history at user turns and never separates a call from its result", () => {
    const big = "x".repeat(400); // ~100 tokens
    const messages: Message[] = [
      { role: "user", content: `one ${big}` },
      { role: "assistant", content: "", toolCalls: [{ id: "c1", name: "lookup", args: {} }] },
      { role: "tool", toolCallId: "c1", toolName: "lookup", content: big },
      { role: "assistant", content: "done" },
      { role: "user", content: `two ${big}` },
      { role: "assistant", content: "ok" },
    ];
    // Room for the second turn only: the whole first turn (call and result) goes.
    const fit = fitHistory(messages, 0, 150, 75);
    expect(fit.start).toBe(4);
    expect(historyFrom(messages, fit.start).map((m) => m.role)).toEqual(["user", "assistant"]);
    // Room for both: everything, from the first user message.
    expect(fitHistory(messages, 0, 10_000, 5_000).start).toBe(0);
    // Consolidated up to 4: the first turn is never sent again, however much room.
    expect(fitHistory(messages, 4, 10_000, 5_000).start).toBe(4);
    // A calibration of 2 halves what fits.
    expect(fitHistory(messages, 0, 400, 200, 2).start).toBe(4);
  });

  it("recognizes each vendor's context overflow, and nothing else", () => {
    const err = (message: string, code: "bad_request" | "server" = "bad_request", status = 400) =>
      new ProviderError(message, { code, provider: "p", status });
    expect(
      isContextOverflow(err("openai returned 400: This model's maximum context length is 128000 tokens.")),
    ).toBe(true);
    expect(
      isContextOverflow(err("anthropic returned 400: prompt is too long: 210000 tokens > 200000 maximum")),
    ).toBe(true);
    expect(
      isContextOverflow(
        new ProviderError(
          "openai_codex failed: Your input exceeds the context window (context_length_exceeded)",
          {
            code: "bad_request",
            provider: "openai_codex",
          },
        ),
      ),
    ).toBe(true);
    expect(isContextOverflow(err("anthropic returned 413: request_too_large", "bad_request", 413))).toBe(
      true,
    );
    expect(isContextOverflow(err("openai returned 400: Invalid value for 'temperature'"))).toBe(false);
    expect(isContextOverflow(err("openai returned 500: context window", "server", 500))).toBe(false);
  });
});

describe("the too-large line", () => {
  it("names the largest message of the turn and what to do", () => {
    const line = tooLargeLine(
      [
        { role: "user", content: "read the log" },
        { role: "assistant", content: "", toolCalls: [{ id: "c", name: "read_file", args: {} }] },
        { role: "tool", toolCallId: "c", toolName: "read_file", content: "y".repeat(40_000) },
      ],
      5_000,
    );
    expect(line).toBe(
      "the result of the read_file tool is too large for the model's context (40,000 characters, about 10,004 tokens; " +
        "the prompt budget is 5,000): ask for a smaller part of it (a line range, a narrower command), or raise " +
        "agents.defaults.contextWindow if the model allows more",
    );
  });
});
