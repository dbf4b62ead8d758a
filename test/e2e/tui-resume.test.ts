import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeLlm, lastUserText, startFakeOpenAI } from "../fakes/openai-server.js";
import { openaiEnv, runCli, tempHome } from "../helpers/cli.js";
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

const envFor = (home: string) => openaiEnv(home, llm.url);

describe("TUI /resume", () => {
  it("opens a picker of recent sessions and continues the one chosen", async () => {
    const home = tempHome();
    const env = envFor(home);
    expect((await runCli(["agent", "-m", "about the garden", "-s", "cli:garden"], { env })).code).toBe(0);
    expect((await runCli(["agent", "-m", "about taxes", "-s", "cli:taxes"], { env })).code).toBe(0);
    const pane = tmux.open(env, ["agent"]);
    await pane.see("message, /help for commands", 15_000);
    pane.send("/resume");
    await pane.see("Resume a session");
    // The key hint shows once the picker listens for keys.
    const picker = await pane.see("Esc cancel");
    expect(picker).toMatch(/1\. cli:taxes\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+2 msgs\s+about taxes/);
    expect(picker).toMatch(/2\. cli:garden\s+.*about the garden/);
    expect(picker).toContain("↑/↓ choose · Enter resume · 1-9 pick · Esc cancel");
    // Down, then Enter: the second one
    pane.keys("Down");
    pane.keys("Enter");
    await pane.see("resumed cli:garden (2 messages)");
    await pane.see("session cli:garden");
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

describe("TUI /resume with a key or a number", () => {
  it("Esc cancels the picker; /resume <n> and /resume <key> switch without it", async () => {
    const home = tempHome();
    const env = envFor(home);
    expect((await runCli(["agent", "-m", "first", "-s", "cli:one"], { env })).code).toBe(0);
    expect((await runCli(["agent", "-m", "second", "-s", "cli:two"], { env })).code).toBe(0);
    const pane = tmux.open(env, ["agent", "-s", "cli:fresh"]);
    await pane.see("message, /help for commands", 15_000);
    pane.send("/resume");
    await pane.see("Resume a session");
    await pane.see("Esc cancel");
    pane.keys("Escape");
    await pane.see("resume cancelled");
    pane.send("/resume 2");
    await pane.see("resumed cli:one (2 messages)");
    pane.send("/resume cli:two");
    await pane.see("resumed cli:two (2 messages)");
    pane.keys("C-d");
  }, 40_000);
});
