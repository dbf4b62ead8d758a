import { readFile } from "node:fs/promises";
import { cleanup } from "ink-testing-library";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeRunner, keys, waitFor } from "./tui-fakes.js";
import { renderApp, tempHome } from "./tui-harness.js";

let home: Awaited<ReturnType<typeof tempHome>>;
beforeEach(async () => {
  home = await tempHome();
});
afterEach(async () => {
  cleanup();
  await home.dispose();
});

describe("tui prompt input", () => {
  it("walks history with Up/Down, persisted to a file a new app instance reads", async () => {
    const file = `${home.dir}/nested/dir/cli_history`;
    const runner = new FakeRunner();
    const first = await renderApp(runner, file);
    for (const text of ["first question", "second question"]) {
      await first.type(text);
      first.press(keys.enter);
      await waitFor(() => expect(first.frame()).not.toContain("working"));
    }
    await waitFor(async () => {
      expect(await readFile(file, "utf8")).toBe('"first question"\n"second question"\n');
    });
    first.unmount();
    cleanup();

    const second = await renderApp(new FakeRunner(), file);
    await second.type("draft");
    second.press(keys.up);
    await second.see("› second question");
    second.press(keys.up);
    await second.see("› first question");
    second.press(keys.down);
    await second.see("› second question");
    second.press(keys.down);
    await second.see("› draft");
  });

  it("a trailing backslash continues onto a new line; Enter then sends both lines", async () => {
    const runner = new FakeRunner();
    const app = await renderApp(runner, `${home.dir}/h`);
    await app.type("line one\\");
    app.press(keys.enter);
    await app.type("line two");
    expect(runner.turns).toEqual([]);
    app.press(keys.enter);
    await waitFor(() => expect(runner.turns).toHaveLength(1));
    expect(runner.turns[0]?.input).toBe("line one\nline two");
  });

  it("Alt+Enter inserts a newline instead of sending", async () => {
    const runner = new FakeRunner();
    const app = await renderApp(runner, `${home.dir}/h`);
    await app.type("alpha");
    app.press(keys.altEnter);
    await app.type("beta");
    app.press(keys.enter);
    await waitFor(() => expect(runner.turns).toHaveLength(1));
    expect(runner.turns[0]?.input).toBe("alpha\nbeta");
  });

  it("Shift+Enter, as reported by the kitty keyboard protocol, inserts a newline", async () => {
    const runner = new FakeRunner();
    const app = await renderApp(runner, `${home.dir}/h`);
    await app.type("up");
    app.press("\u001b[13;2u");
    await app.type("down");
    app.press(keys.enter);
    await waitFor(() => expect(runner.turns).toHaveLength(1));
    expect(runner.turns[0]?.input).toBe("up\ndown");
  });

  it("a multi-line paste is inserted whole, not sent line by line", async () => {
    const runner = new FakeRunner();
    const app = await renderApp(runner, `${home.dir}/h`);
    app.press("pasted one\r\npasted two\rpasted three");
    await app.see("pasted three");
    expect(runner.turns).toEqual([]);
    // A bracketed paste (what real terminals send once paste mode is on) behaves the same.
    app.press("\u001b[200~ and more\nlast\u001b[201~");
    await app.see("last");
    expect(runner.turns).toEqual([]);
    app.press(keys.enter);
    await waitFor(() => expect(runner.turns).toHaveLength(1));
    expect(runner.turns[0]?.input).toBe("pasted one\npasted two\npasted three and more\nlast");
  });

  it("text and Enter arriving in one chunk (as from tmux send-keys) types and sends it", async () => {
    const runner = new FakeRunner();
    const app = await renderApp(runner, `${home.dir}/h`);
    app.press("hello there\r");
    await waitFor(() => expect(runner.turns).toHaveLength(1));
    expect(runner.turns[0]?.input).toBe("hello there");
    await waitFor(() => expect(app.frame()).not.toContain("working"));
    // The chunk joins text already typed, and a trailing backslash still continues the line.
    await app.type("first ");
    app.press("part\\\r");
    await app.see("first part");
    expect(runner.turns).toHaveLength(1);
    app.press("second\r");
    await waitFor(() => expect(runner.turns).toHaveLength(2));
    expect(runner.turns[1]?.input).toBe("first part\nsecond");
  });

  it("a bracketed paste ending in a line break is inserted, not sent", async () => {
    const runner = new FakeRunner();
    const app = await renderApp(runner, `${home.dir}/h`);
    app.press("\u001b[200~pasted line\r\u001b[201~");
    await app.see("pasted line");
    app.press("two\r\nlines\r");
    await app.see("lines");
    await new Promise((r) => setTimeout(r, 30));
    expect(runner.turns).toEqual([]);
  });

  it("supports backspace, cursor movement, Ctrl-A/Ctrl-E and Ctrl-U", async () => {
    const runner = new FakeRunner();
    const app = await renderApp(runner, `${home.dir}/h`);
    await app.type("helo world");
    app.press(keys.ctrlA);
    app.press(keys.right);
    app.press(keys.right);
    app.press(keys.right);
    await app.type("l");
    await app.see("hello world");
    app.press(keys.ctrlE);
    app.press(keys.backspace);
    await app.see("hello worl");
    app.press(keys.left);
    app.press(keys.ctrlU);
    await waitFor(() => expect(app.frame()).not.toContain("hello"));
    await app.type("X");
    app.press(keys.enter);
    await waitFor(() => expect(runner.turns).toHaveLength(1));
    expect(runner.turns[0]?.input).toBe("Xl");
  });

  it("Ctrl-C clears typed text; on an empty prompt it warns, and a second press exits", async () => {
    const app = await renderApp(new FakeRunner(), `${home.dir}/h`);
    await app.type("some text");
    app.press(keys.ctrlC);
    await waitFor(() => expect(app.frame()).not.toContain("some text"));
    expect(app.frame()).not.toContain("press Ctrl-C again");
    app.press(keys.ctrlC);
    await app.see("press Ctrl-C again to exit");
    expect(app.exits).toEqual([]);
    app.press(keys.ctrlC);
    await waitFor(() => expect(app.exits).toEqual([0]));
  });

  it("Ctrl-D exits on an empty prompt but not while text is typed", async () => {
    const app = await renderApp(new FakeRunner(), `${home.dir}/h`);
    await app.type("abc");
    app.press(keys.ctrlD);
    await new Promise((r) => setTimeout(r, 30));
    expect(app.exits).toEqual([]);
    app.press(keys.ctrlU);
    await waitFor(() => expect(app.frame()).not.toContain("abc"));
    app.press(keys.ctrlD);
    await waitFor(() => expect(app.exits).toEqual([0]));
  });
});
