import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeLlm, lastUserText, startFakeOpenAI } from "../fakes/openai-server.js";
import { cleanEnv, runCli, tempHome } from "../helpers/cli.js";
import { tmuxServer } from "../helpers/tmux-pane.js";

// In the TUI, /resume lists recent sessions and continues the one picked.
const tmux = tmuxServer();
let llm: FakeLlm;
beforeAll(async () => {
  llm = await startFakeOpenAI({ respond: (req) => ({ text: `ok: ${lastUserText(req)}` }) });
});
afterAll(async () => {
  tmux.close();
  await llm?.close();
});

describe("TUI /resume", () => {
  it("lists recent sessions and switches to the one picked by number", async () => {
    const home = tempHome();
    const env = cleanEnv(home, {
      KAVILO_PROVIDER: "openai",
      KAVILO_API_BASE: llm.url,
      KAVILO_API_KEY: "test-key-not-secret",
      KAVILO_MODEL: "gpt-test",
    });
    expect((await runCli(["agent", "-m", "about the garden", "-s", "cli:garden"], { env })).code).toBe(0);
    expect((await runCli(["agent", "-m", "about taxes", "-s", "cli:taxes"], { env })).code).toBe(0);
    const pane = tmux.open(env, ["agent"]);
    await pane.see("message, /help for commands", 15_000);
    pane.send("/resume");
    const list = await pane.see("Recent sessions");
    expect(list).toMatch(/1\. cli:taxes\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+2 msgs\s+about taxes/);
    expect(list).toMatch(/2\. cli:garden\s+.*about the garden/);
    pane.send("/resume 2");
    await pane.see("resumed cli:garden (2 messages)");
    pane.send("and the roses?");
    await pane.see("ok: and the roses?");
    const body = llm.requests.at(-1)?.body as { messages: { role: string; content: unknown }[] };
    expect(body.messages.filter((m) => m.role === "user").map((m) => String(m.content))).toEqual([
      "about the garden",
      "and the roses?",
    ]);
    pane.keys("C-d");
  }, 40_000);
});
