import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { render } from "ink-testing-library";
import { App } from "../../src/cli/tui/app.js";
import { loadHistory } from "../../src/cli/tui/input-history.js";
import { type FakeRunner, plain, waitFor } from "./tui-fakes.js";

export interface Harness {
  stdin: { write(data: string): void };
  frame(): string;
  exits: number[];
  historyFile: string;
  /** Waits until the frame contains every given text. */
  see(...texts: string[]): Promise<void>;
  /** Types text (one input event) and waits until the prompt shows it. */
  type(text: string): Promise<void>;
  press(key: string): void;
  /** Simulates a terminal resize to `columns` (and `rows`, which a test terminal otherwise lacks). */
  resize(columns: number, rows?: number): void;
  unmount(): void;
}

export async function tempHome(): Promise<{ dir: string; dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "kavilo-tui-"));
  return {
    dir,
    // History appends are fire-and-forget in the app; give the last one a moment to land first.
    dispose: async () => {
      await new Promise((r) => setTimeout(r, 30));
      await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
    },
  };
}

export async function renderApp(
  runner: FakeRunner,
  historyFile: string,
  extra: { usageText?: () => Promise<string>; sessionKey?: string } = {},
): Promise<Harness> {
  const exits: number[] = [];
  const history = await loadHistory(historyFile);
  const instance = render(
    <App
      runner={runner}
      profile="work"
      sessionKey={extra.sessionKey ?? "cli:default"}
      history={history}
      historyFile={historyFile}
      usageText={extra.usageText ?? (async () => "usage: 42 tokens")}
      onExit={(code) => exits.push(code)}
    />,
  );
  const frame = () => plain(instance.lastFrame());
  const see = (...texts: string[]) =>
    waitFor(() => {
      const f = frame();
      for (const t of texts) if (!f.includes(t)) throw new Error(`frame lacks ${JSON.stringify(t)}:\n${f}`);
    });
  return {
    stdin: instance.stdin,
    frame,
    exits,
    historyFile,
    see,
    type: async (text: string) => {
      instance.stdin.write(text);
      await see(text.split("\n").at(-1) ?? text);
    },
    press: (key: string) => instance.stdin.write(key),
    resize: (columns: number, rows?: number) => {
      Object.defineProperty(instance.stdout, "columns", { value: columns, configurable: true });
      if (rows !== undefined)
        Object.defineProperty(instance.stdout, "rows", { value: rows, configurable: true });
      instance.stdout.emit("resize");
    },
    unmount: () => instance.unmount(),
  };
}
