import { cleanup } from "ink-testing-library";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FLUSH_MS } from "../../src/cli/tui/use-turn.js";
import type { TurnRequest } from "../../src/core/agent/types.js";
import { endEvent, FakeRunner, Gate, keys, simpleReply, waitFor } from "./tui-fakes.js";
import { renderApp, tempHome } from "./tui-harness.js";

let home: Awaited<ReturnType<typeof tempHome>>;
beforeEach(async () => {
  home = await tempHome();
});
afterEach(async () => {
  cleanup();
  await home.dispose();
});

describe("tui turn rendering", () => {
  it("streams assistant text incrementally and shows usage in the footer", async () => {
    const gate = new Gate();
    const runner = new FakeRunner(async function* (req) {
      yield { type: "turn-start", sessionKey: req.sessionKey, provider: "fakeprov", model: "fake-model" };
      yield { type: "text-delta", text: "Hello " };
      await gate.wait(req.signal);
      yield { type: "text-delta", text: "streaming world" };
      yield { type: "usage", usage: { input: 1500, output: 500 }, provider: "fakeprov", model: "fake-model" };
      await gate.wait(req.signal);
      yield { ...endEvent("Hello streaming world"), usage: { input: 1500, output: 500 } };
    });
    const app = await renderApp(runner, `${home.dir}/h`);
    await app.see("session 1.2k tok");
    await app.type("hi there");
    app.press(keys.enter);
    await app.see("Hello", "working");
    expect(app.frame()).not.toContain("streaming world");
    gate.open();
    await app.see("Hello streaming world", "turn 2.0k tok", "session 3.2k tok");
    gate.open();
    await waitFor(() => expect(app.frame()).not.toContain("working"));
    expect(runner.turns[0]?.input).toBe("hi there");
    expect(runner.turns[0]?.sessionKey).toBe("cli:default");
  });

  it("reflows the input box to the terminal width on resize", async () => {
    const app = await renderApp(new FakeRunner(), `${home.dir}/h`);
    const boxTop = () =>
      app
        .frame()
        .split("\n")
        .find((line) => line.startsWith("╭")) ?? "";
    await waitFor(() => expect(boxTop()).toHaveLength(100));
    app.resize(60);
    await waitFor(() => expect(boxTop()).toHaveLength(60));
  });

  it("a long answer streamed block by block reads exactly like the same answer arriving whole", async () => {
    const blocks = [
      "# Plan\n\n",
      "First **step**\nwith two lines.\n\n",
      "- one\n- two\n\n",
      "```sh\nls\n```\n\n",
      "Done.",
    ];
    const whole = blocks.join("");
    const streamed = new FakeRunner(async function* () {
      for (const block of blocks) {
        yield { type: "text-delta", text: block };
        // Longer than the flush interval, so each block is split off while the next streams.
        await new Promise((r) => setTimeout(r, FLUSH_MS * 2));
      }
      yield endEvent(whole);
    });
    const a = await renderApp(streamed, `${home.dir}/a`);
    const b = await renderApp(new FakeRunner(simpleReply(whole)), `${home.dir}/b`);
    for (const app of [a, b]) {
      await app.type("md");
      app.press(keys.enter);
    }
    await a.see("Done.", "message, /help");
    await b.see("Done.", "message, /help");
    expect(a.frame()).toBe(b.frame());
    expect(a.frame().match(/with two lines\./g)).toHaveLength(1);
  });

  it("keeps the live part of a long answer within the terminal's height", async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `row ${String(i + 1).padStart(2, "0")}`);
    const gate = new Gate();
    const runner = new FakeRunner(async function* (req) {
      yield { type: "text-delta", text: rows.join("\n") };
      await gate.wait(req.signal);
      yield endEvent(rows.join("\n"));
    });
    const app = await renderApp(runner, `${home.dir}/h`);
    app.resize(100, 20);
    await app.type("long");
    app.press(keys.enter);
    await app.see("row 40", "working");
    // One paragraph is one block, so it is still live: only its tail fits on screen.
    const live = app.frame();
    expect(live).not.toContain("row 01");
    // The live rows plus the header, input box and footer fit in the 20-row terminal.
    expect(live.split("\n").filter((line) => line.startsWith("row ")).length).toBeLessThanOrEqual(20 - 7);
    gate.open();
    await app.see("message, /help");
    // Once finished, the whole paragraph is in the transcript, each row once.
    for (const row of rows) expect(app.frame().split(row)).toHaveLength(2);
  });

  it("keeps the space after the prompt mark when the input wraps", async () => {
    const app = await renderApp(new FakeRunner(), `${home.dir}/h`);
    app.resize(30);
    app.press(`alpha${"x".repeat(40)} beta gamma delta epsilon zeta eta theta`);
    await app.see("theta");
    const markRow =
      app
        .frame()
        .split("\n")
        .find((line) => line.includes("›")) ?? "";
    expect(markRow).toMatch(/│ › alpha/);
  });

  it("renders markdown: code block content and bold text without raw markers", async () => {
    const md =
      "# Title\n\nSome **bold words** and `inline`.\n\n- first item\n- second item\n\n```ts\nconst x = 42;\n```\n";
    const runner = new FakeRunner(async function* () {
      yield { type: "text-delta", text: md };
      yield endEvent(md);
    });
    const app = await renderApp(runner, `${home.dir}/h`);
    await app.type("md");
    app.press(keys.enter);
    await app.see("bold words", "const x = 42;", "• first item", "• second item", "Title");
    const frame = app.frame();
    expect(frame).not.toContain("**");
    expect(frame).not.toContain("```");
    expect(frame).not.toContain("# Title");
    expect(frame).toContain("inline");
    expect(frame).not.toContain("`inline`");
  });

  it("shows each tool call as one line: running, then done or failed with a duration", async () => {
    const gate = new Gate();
    const runner = new FakeRunner(async function* (req) {
      yield { type: "tool-call-start", id: "c1", name: "read_file", args: { path: "notes/todo.md" } };
      await gate.wait(req.signal);
      yield {
        type: "tool-call-end",
        id: "c1",
        name: "read_file",
        ok: true,
        output: "FILE-BODY",
        durationMs: 1234,
      };
      yield { type: "tool-call-start", id: "c2", name: "shell", args: { command: "make test" } };
      await gate.wait(req.signal);
      yield { type: "tool-call-end", id: "c2", name: "shell", ok: false, output: "exit 2", durationMs: 300 };
      yield { type: "text-delta", text: "All done." };
      yield endEvent("All done.");
    });
    const app = await renderApp(runner, `${home.dir}/h`);
    await app.type("go");
    app.press(keys.enter);
    await app.see('read_file path="notes/todo.md" running');
    gate.open();
    await app.see("✓ read_file", "done 1.2s", 'shell command="make test" running');
    gate.open();
    await app.see("✗ shell", "failed 0.3s", "All done.");
    expect(app.frame()).not.toContain("FILE-BODY");
    // Ctrl-O at rest replays the last turn's tool outputs.
    app.press(keys.ctrlO);
    await app.see("FILE-BODY", "exit 2", "tool output shown");
  });

  it("shows errors in their own style with the event's hint, a generic one only for a provider's failure", async () => {
    const runner = new FakeRunner(async function* () {
      yield { type: "error", message: "invalid api key", status: 401, hint: "run kavilo auth claude" };
      yield { type: "error", message: "socket hang up", code: "network" };
      yield { type: "error", message: "disk full: the answer was shown but not saved to /s.jsonl" };
      yield endEvent("", "error");
    });
    const app = await renderApp(runner, `${home.dir}/h`);
    await app.type("x");
    app.press(keys.enter);
    await app.see("Error (401): invalid api key", "hint: run kavilo auth claude", "Error: socket hang up");
    await app.see("hint: run kavilo status", "Error: disk full: the answer was shown but not saved");
    // One generic hint: the network failure's. The full disk says what happened in its own line.
    expect(app.frame().split("hint: run kavilo status")).toHaveLength(2);
  });

  it("Ctrl-C during a turn aborts it, keeps what was shown, and returns to the prompt", async () => {
    const seen: TurnRequest[] = [];
    const runner = new FakeRunner(async function* (req) {
      seen.push(req);
      yield { type: "text-delta", text: "partial answer" };
      await new Promise<void>((resolve) => req.signal?.addEventListener("abort", () => resolve()));
      yield endEvent("partial answer", "aborted");
    });
    const app = await renderApp(runner, `${home.dir}/h`);
    await app.type("long job");
    app.press(keys.enter);
    await app.see("partial answer", "working");
    app.press(keys.ctrlC);
    await app.see("interrupted");
    expect(seen[0]?.signal?.aborted).toBe(true);
    await waitFor(() => expect(app.frame()).not.toContain("working"));
    expect(app.frame()).toContain("partial answer");
    expect(app.exits).toEqual([]);
    // Back at the prompt: a new turn can start.
    runner.script = async function* () {
      yield { type: "text-delta", text: "second reply" };
      yield endEvent("second reply");
    };
    await app.type("again");
    app.press(keys.enter);
    await app.see("second reply");
    expect(runner.turns).toHaveLength(2);
  });

  it("a runner that ignores the abort still gets the turn marked interrupted", async () => {
    const runner = new FakeRunner(async function* (req) {
      yield { type: "text-delta", text: "stubborn" };
      await new Promise<void>((resolve) => req.signal?.addEventListener("abort", () => resolve()));
      yield { type: "text-delta", text: " LATE TEXT" };
      yield endEvent("stubborn LATE TEXT", "stop");
    });
    const app = await renderApp(runner, `${home.dir}/h`);
    await app.type("q");
    app.press(keys.enter);
    await app.see("stubborn");
    app.press(keys.ctrlC);
    await app.see("interrupted");
    expect(app.frame()).not.toContain("LATE TEXT");
  });
});
