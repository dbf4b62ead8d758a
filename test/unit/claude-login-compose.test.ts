import { rm } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { storeClaudeToken } from "../../src/auth/claude/login.js";
import { claudeTokenPath } from "../../src/auth/claude/token-file.js";
import { claudeLoginFor } from "../../src/cli/compose/claude-login.js";
import { makePaths } from "../../src/core/base/paths.js";
import { findSpec } from "../../src/providers/specs.js";
import { type Provider, ProviderError, type StreamEvent } from "../../src/providers/types.js";
import { tempHome } from "../helpers/cli.js";

const anthropic = findSpec("anthropic")!;
const openai = findSpec("openai")!;

async function home() {
  const paths = makePaths(join(tempHome(), ".kavilo"));
  await storeClaudeToken(paths, "sk-ant-oat01-login");
  return paths;
}

describe("claudeLoginFor (composition root)", () => {
  it("applies to claude models on the anthropic wire only, and not when disabled", async () => {
    const paths = await home();
    expect(
      claudeLoginFor({ spec: anthropic, model: "claude-x", apiKey: undefined }, paths, {}),
    ).toBeDefined();
    expect(
      claudeLoginFor({ spec: anthropic, model: "my-proxy-model", apiKey: undefined }, paths, {}),
    ).toBeUndefined();
    expect(claudeLoginFor({ spec: openai, model: "claude-x", apiKey: undefined }, paths, {})).toBeUndefined();
    expect(
      claudeLoginFor({ spec: anthropic, model: "claude-x", apiKey: undefined }, paths, {
        KAVILO_ANTHROPIC_OAUTH_DISABLED: "1",
      }),
    ).toBeUndefined();
    const none = makePaths(join(tempHome(), ".kavilo"));
    expect(
      claudeLoginFor({ spec: anthropic, model: "claude-x", apiKey: undefined }, none, {}),
    ).toBeUndefined();
  });

  it("uses the login, and the API key once the login is removed while running", async () => {
    const paths = await home();
    const use = claudeLoginFor({ spec: anthropic, model: "claude-x", apiKey: "sk-ant-api-key" }, paths, {});
    expect(await use?.credentials()).toEqual({
      bearer: "sk-ant-oat01-login",
      headers: { "anthropic-beta": "oauth-2025-04-20" },
    });
    await rm(claudeTokenPath(paths));
    expect(await use?.credentials()).toEqual({ apiKey: "sk-ant-api-key" });
  });

  it("a login made while running (start, the TUI) is used by the next request, without a restart", async () => {
    const paths = makePaths(join(tempHome(), ".kavilo"));
    const use = claudeLoginFor({ spec: anthropic, model: "claude-x", apiKey: "sk-ant-api-key" }, paths, {});
    expect(await use?.credentials()).toEqual({ apiKey: "sk-ant-api-key" });
    await storeClaudeToken(paths, "sk-ant-oat01-later");
    expect(await use?.credentials()).toEqual({
      bearer: "sk-ant-oat01-later",
      headers: { "anthropic-beta": "oauth-2025-04-20" },
    });
    // Disabled: the key always, whatever is on disk.
    const keyed = claudeLoginFor({ spec: anthropic, model: "claude-x", apiKey: "sk-ant-api-key" }, paths, {
      KAVILO_ANTHROPIC_OAUTH_DISABLED: "1",
    });
    expect(keyed).toBeUndefined();
  });

  it("rewrites Anthropic's 'only for its own apps' refusal and leaves other errors alone", async () => {
    const paths = await home();
    const use = claudeLoginFor({ spec: anthropic, model: "claude-x", apiKey: undefined }, paths, {});
    const error = (message: string, status: number): StreamEvent => ({
      type: "error",
      error: new ProviderError(message, { code: "bad_request", provider: "anthropic", status }),
      retryable: false,
    });
    const events = [
      error(
        "anthropic returned 400: This credential is only authorized for use with Claude Code and cannot be used for other API requests.",
        400,
      ),
      error("anthropic returned 400: max_tokens too large", 400),
    ];
    const inner: Provider = {
      id: "anthropic",
      async *stream() {
        yield* events;
      },
    };
    const out: StreamEvent[] = [];
    for await (const ev of use!.explainRefusal(inner).stream({ model: "claude-x", messages: [] }))
      out.push(ev);
    const [first, second] = out;
    expect(first?.type === "error" && first.error).toMatchObject({
      code: "auth",
      status: 400,
      message: expect.stringMatching(/^Anthropic refused the Claude subscription token/),
      hint: expect.stringContaining("ANTHROPIC_API_KEY"),
    });
    expect(second).toBe(events[1]);
  });
});
