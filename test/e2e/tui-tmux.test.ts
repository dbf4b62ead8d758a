/**
 * `kavilo agent` as a person uses it: the built CLI in a real terminal (tmux), keys typed with
 * send-keys and the screen read with capture-pane, against the fake OpenAI server.
 */
import { readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { type FakeLlm, lastUserText, type RecordedRequest, startFakeOpenAI } from "../fakes/openai-server.js";
import { cleanEnv, openaiEnv, runCli, tempHome } from "../helpers/cli.js";
import { tmuxServer } from "../helpers/tmux-pane.js";

const tmux = tmuxServer();
let fakes: FakeLlm[] = [];
const homes: string[] = [];

function home(): string {
  const dir = tempHome("kavilo-tui-e2e-");
  homes.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  fakes = [];
});
afterAll(() => {
  tmux.close();
  for (const dir of homes) rmSync(dir, { recursive: true, force: true });
});

const PROMPT_IDLE = "message, /help for commands";
const LONG_ANSWER_LINES = Array.from(
  { length: 80 },
  (_, i) => `answer line ${String(i + 1).padStart(2, "0")}`,
);
// One 40-line paragraph (taller than the pane), then four paragraphs of ten lines, one line per chunk.
const LONG_ANSWER_CHUNKS = LONG_ANSWER_LINES.map((line, i) =>
  i === 79 ? line : i >= 39 && (i + 1) % 10 === 0 ? `${line}\n\n` : `${line}\n`,
);
const count = (text: string, part: string) => text.split(part).length - 1;

/** A pane running the built CLI (see tmux-pane.ts), plus: wait for `text` and for the turn to be over. */
function openPane(env: NodeJS.ProcessEnv, args: string[]) {
  const pane = tmux.open(env, args);
  return {
    ...pane,
    /** Enter is ignored mid-turn, so tests wait for the idle prompt before typing again. */
    idleWith: (text: string) =>
      pane.waitFor(
        (s) => s.includes(text) && s.includes(PROMPT_IDLE),
        `${JSON.stringify(text)} and an idle prompt`,
      ),
  };
}

function hasToolResult(req: RecordedRequest): boolean {
  const messages = (req.body as { messages: Array<{ role: string }> }).messages;
  return messages.at(-1)?.role === "tool";
}

async function fake(): Promise<FakeLlm> {
  const f = await startFakeOpenAI({
    respond: (req) => {
      const text = lastUserText(req);
      if (text.includes("list the files")) {
        if (!hasToolResult(req)) {
          return { text: "Let me look.", toolCalls: [{ name: "list_directory", args: { path: "." } }] };
        }
        return {
          text: "## Listing\n\nThe workspace holds **a few** files:\n\n- `AGENTS.md`\n- `MEMORY.md`\n",
        };
      }
      if (text.includes("take your time")) return { delayMs: 15_000, text: "too late" };
      if (text.includes("long answer")) return { text: LONG_ANSWER_CHUNKS, chunkDelayMs: 15 };
      return { text: `echo: ${text}` };
    },
  });
  fakes.push(f);
  return f;
}

function envFor(home: string, url: string) {
  return openaiEnv(home, url);
}

describe("kavilo agent in a real terminal (tmux)", () => {
  it("streams an answer with a tool line, starts a new session, interrupts a turn, exits cleanly", async () => {
    const llm = await fake();
    // CI=true as on a CI runner: the TUI must still draw every frame, not only the last at exit.
    const pane = openPane({ ...envFor(home(), llm.url), CI: "true" }, ["agent"]);
    await pane.idleWith("kavilo · profile");

    pane.send("list the files please");
    const answered = await pane.idleWith("The workspace holds a few files:");
    expect(answered).toContain("› list the files please");
    expect(answered).toMatch(/✓ list_directory path="\." done/);
    expect(answered).toContain("• AGENTS.md");
    // Markdown is rendered, not shown raw.
    expect(answered).not.toContain("**");
    expect(answered).not.toContain("## Listing");
    expect(llm.requests).toHaveLength(2);

    pane.send("/new");
    await pane.idleWith("new session started for cli:default");

    pane.send("take your time");
    await pane.see("Ctrl-C to interrupt");
    pane.keys("C-c");
    const after = await pane.idleWith("interrupted");
    expect(after).not.toContain("too late");

    // The prompt works again after the interrupt.
    pane.send("still there?");
    await pane.idleWith("echo: still there?");

    pane.send("/exit");
    const exited = await pane.see("EXITED:0");
    expect(exited).toContain("STTY:same");
    expect(pane.cursorVisible()).toBe(true);
  });

  it("a streamed answer taller than the pane lands in the scrollback once; a resize leaves one clean frame", async () => {
    const llm = await fake();
    const pane = openPane(envFor(home(), llm.url), ["agent"]);
    await pane.idleWith("kavilo · profile");
    pane.send("the earlier turn");
    await pane.idleWith("echo: the earlier turn");

    pane.send("a long answer please");
    await pane.idleWith("answer line 80");
    const history = () => pane.history();
    const scrollback = history();
    for (const line of LONG_ANSWER_LINES) expect(count(scrollback, line), line).toBe(1);
    expect(count(scrollback, "echo: the earlier turn")).toBe(1);
    expect(count(scrollback, "kavilo · profile")).toBe(1);

    pane.resize(60);
    const resized = await pane.waitFor(
      (s) =>
        s.split("\n").some((line) => line.startsWith("╭") && line.length === 60) &&
        count(s, "kavilo · profile") === 1,
      "one header and the input box redrawn at 60 columns",
    );
    expect(count(resized, "kavilo · profile")).toBe(1);
    expect(count(resized, "╭")).toBe(1);
    expect(resized.split("\n").every((line) => line.length <= 60)).toBe(true);
    // The transcript is reprinted at the new width, still once.
    const after = history();
    for (const line of LONG_ANSWER_LINES) expect(count(after, line), line).toBe(1);
    expect(count(after, "echo: the earlier turn")).toBe(1);
    pane.send("/exit");
    await pane.see("EXITED:0");
  });

  it("continues one session between the TUI and agent -m, both ways", async () => {
    const llm = await fake();
    const env = envFor(home(), llm.url);
    const first = await runCli(["agent", "-m", "the first word is PAPAYA", "--session", "shared"], { env });
    expect(first.code).toBe(0);

    const pane = openPane(env, ["agent", "--session", "shared"]);
    await pane.idleWith("session shared");
    pane.send("the second word is MANGO");
    await pane.idleWith("echo: the second word is MANGO");
    expect(JSON.stringify(llm.requests[1]?.body)).toContain("PAPAYA");

    // Ctrl-D on an empty prompt leaves, like /exit.
    pane.keys("C-d");
    expect(await pane.see("EXITED:0")).toContain("STTY:same");
    expect(pane.cursorVisible()).toBe(true);

    const third = await runCli(["agent", "-m", "which words?", "--session", "shared"], { env });
    expect(third.code).toBe(0);
    const body = JSON.stringify(llm.requests[2]?.body);
    expect(body).toContain("PAPAYA");
    expect(body).toContain("MANGO");
  });

  it("without a terminal and without -m, prints one line pointing to -m and exits 2", async () => {
    const r = await runCli(["agent"], { env: cleanEnv(home()) });
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("-m");
    expect(r.stdout).toBe("");
  });

  it("onboard in a terminal asks for the provider, a hidden key and the model", async () => {
    const dir = home();
    const pane = openPane(cleanEnv(dir), ["onboard"]);
    await pane.see("Provider [auto]:");
    pane.send("anthropic");
    await pane.see("input hidden");
    pane.send("sk-ant-typed-secret-1234");
    await pane.see("Model [claude-sonnet-5-5]:");
    pane.send("claude-opus-4-5");
    const screen = await pane.see("EXITED:0");
    expect(screen).not.toContain("sk-ant-typed-secret");
    const file = join(dir, ".kavilo", "config.json");
    const config = JSON.parse(readFileSync(file, "utf8")) as {
      agents: { defaults: { provider: string; model: string } };
      providers: { anthropic: { apiKey: string } };
    };
    expect(config.agents.defaults).toMatchObject({ provider: "anthropic", model: "claude-opus-4-5" });
    expect(config.providers.anthropic.apiKey).toBe("sk-ant-typed-secret-1234");
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
