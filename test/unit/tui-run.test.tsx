import { EventEmitter } from "node:events";
import { readFile } from "node:fs/promises";
import { stripVTControlCharacters } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runTui } from "../../src/cli/tui/run-tui.js";
import { FakeRunner, keys, waitFor } from "./tui-fakes.js";
import { tempHome } from "./tui-harness.js";

/** A terminal-like stdin: raw mode is recorded so the test can check it is switched back off. */
class FakeTtyIn extends EventEmitter {
  isTTY = true;
  rawModes: boolean[] = [];
  paused = false;
  private data: string | null = null;
  setRawMode(mode: boolean) {
    this.rawModes.push(mode);
    return this;
  }
  setEncoding() {}
  resume() {
    this.paused = false;
  }
  pause() {
    this.paused = true;
  }
  ref() {}
  unref() {}
  read = () => {
    const { data } = this;
    this.data = null;
    return data;
  };
  send(data: string) {
    this.data = data;
    this.emit("readable");
  }
}

class FakeTtyOut extends EventEmitter {
  isTTY = true;
  columns = 80;
  rows = 24;
  chunks: string[] = [];
  write(data: string | Uint8Array, ...rest: unknown[]) {
    this.chunks.push(String(data));
    const callback = rest.find((r) => typeof r === "function") as (() => void) | undefined;
    callback?.();
    return true;
  }
  text() {
    return stripVTControlCharacters(this.chunks.join(""));
  }
}

let home: Awaited<ReturnType<typeof tempHome>>;
beforeEach(async () => {
  home = await tempHome();
});
afterEach(async () => {
  await home.dispose();
});

function start(runner: FakeRunner) {
  const stdin = new FakeTtyIn();
  const stdout = new FakeTtyOut();
  const done = runTui({
    runner,
    profile: "default",
    sessionKey: "cli:default",
    historyFile: `${home.dir}/history/cli_history`,
    usageText: async () => "usage",
    stdin: stdin as unknown as NodeJS.ReadStream,
    stdout: stdout as unknown as NodeJS.WriteStream,
  });
  return { stdin, stdout, done };
}

function expectRestored(stdin: FakeTtyIn, stdout: FakeTtyOut) {
  expect(stdin.rawModes).toContain(true);
  expect(stdin.rawModes.at(-1)).toBe(false);
  expect(stdin.paused).toBe(true);
  expect(stdout.chunks.join("")).toContain("\u001b[?25h");
}

describe("runTui", () => {
  it("runs a turn, exits with 0 on /exit and restores the terminal", async () => {
    const { stdin, stdout, done } = start(new FakeRunner());
    await waitFor(() => expect(stdout.text()).toContain("profile default"));
    stdin.send("hello");
    await waitFor(() => expect(stdout.text()).toContain("hello"));
    stdin.send(keys.enter);
    await waitFor(() => expect(stdout.text()).toContain("ok"));
    stdin.send("/exit");
    await waitFor(() => expect(stdout.text()).toContain("/exit"));
    stdin.send(keys.enter);
    await expect(done).resolves.toBe(0);
    expectRestored(stdin, stdout);
    expect(await readFile(`${home.dir}/history/cli_history`, "utf8")).toContain('"hello"');
  });

  it("exits on Ctrl-D and on a double Ctrl-C, restoring the terminal each time", async () => {
    const a = start(new FakeRunner());
    await waitFor(() => expect(a.stdout.text()).toContain("profile default"));
    a.stdin.send(keys.ctrlD);
    await expect(a.done).resolves.toBe(0);
    expectRestored(a.stdin, a.stdout);

    const b = start(new FakeRunner());
    await waitFor(() => expect(b.stdout.text()).toContain("profile default"));
    b.stdin.send(keys.ctrlC);
    await waitFor(() => expect(b.stdout.text()).toContain("press Ctrl-C again"));
    b.stdin.send(keys.ctrlC);
    await expect(b.done).resolves.toBe(0);
    expectRestored(b.stdin, b.stdout);
  });

  it("rejects with the error when the UI fails to render, after restoring the terminal", async () => {
    const runner = new FakeRunner();
    Object.defineProperty(runner, "model", {
      get() {
        throw new Error("model lookup exploded");
      },
    });
    const { stdin, stdout, done } = start(runner);
    await expect(done).rejects.toThrow("model lookup exploded");
    expect(stdin.rawModes.at(-1) ?? false).toBe(false);
    expect(stdout.chunks.join("")).toContain("\u001b[?25h");
  });

  it("an uncaught exception while running unmounts, restores raw mode and rejects with it", async () => {
    // Vitest's own handler would fail the run on the synthetic error, so it steps aside briefly.
    const saved = process.listeners("uncaughtException");
    process.removeAllListeners("uncaughtException");
    try {
      const { stdin, stdout, done } = start(new FakeRunner());
      await waitFor(() => expect(stdin.rawModes).toContain(true));
      const [installed] = process.listeners("uncaughtException");
      expect(installed).toBeDefined();
      installed?.(new Error("late boom"), "uncaughtException");
      await expect(done).rejects.toThrow("late boom");
      expectRestored(stdin, stdout);
      expect(process.listenerCount("uncaughtException")).toBe(0);
    } finally {
      for (const listener of saved) process.on("uncaughtException", listener);
    }
  });
});
