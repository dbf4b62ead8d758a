import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeLlm, startFakeOpenAI } from "../fakes/openai-server.js";
import { openaiEnv, tempHome } from "../helpers/cli.js";
import { tmuxServer } from "../helpers/tmux-pane.js";

// The TUI honours NO_COLOR: no colour escape sequences on the screen (tmux capture-pane -e).
const tmux = tmuxServer();
let llm: FakeLlm;
beforeAll(async () => {
  llm = await startFakeOpenAI({ respond: () => ({ text: "**bold** and `code` in the answer" }) });
});
afterAll(async () => {
  tmux.close();
  await llm?.close();
});

/** SGR colour codes: 30-37, 90-97 (foreground), 40-47, 100-107 (background), 38;/48; (256 and RGB). */
const COLOUR = /\x1b\[(?:[0-9;]*;)?(?:3[0-7]|9[0-7]|4[0-7]|10[0-7]|38;|48;)[0-9;]*m/;

async function screenAfterAnswer(noColor: string | undefined): Promise<string> {
  const env = openaiEnv(tempHome(), llm.url, {
    NO_COLOR: noColor,
  });
  const pane = tmux.open(env, ["agent"]);
  await pane.see("message, /help for commands", 15_000);
  pane.send("hello");
  await pane.waitFor((s) => s.includes("in the answer") && s.includes("message, /help"), "the answer");
  const styled = pane.styled();
  pane.keys("C-d");
  return styled;
}

describe("TUI colours", () => {
  it("uses colour by default and none with NO_COLOR=1", async () => {
    expect(await screenAfterAnswer(undefined)).toMatch(COLOUR);
    expect(await screenAfterAnswer("1")).not.toMatch(COLOUR);
  }, 40_000);
});
