import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN } from "./cli.js";

const shellQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

export interface TmuxPane {
  /** The tmux session name, for commands the pane has no method for. */
  target: string;
  screen(): string;
  /** The screen with its colours and styles as escape sequences (capture-pane -e). */
  styled(): string;
  /** The whole scrollback and the screen. */
  history(): string;
  /** Polls the screen until `test` passes; throws with the last screen after the timeout. */
  waitFor(test: (screen: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
  /** Polls the screen until `text` shows; throws with the last screen after the timeout. */
  see(text: string | RegExp, timeoutMs?: number): Promise<string>;
  keys(...keys: string[]): void;
  /** Types text and Enter as one send-keys, as a terminal delivers a quick line. */
  send(line: string): void;
  resize(columns: number): void;
  cursorVisible(): boolean;
}

/**
 * A private tmux server (its own socket in a temp dir: parallel runs never share one, nothing is
 * left behind) that runs the built CLI in 100x30 panes. After the CLI exits the pane shows
 * `STTY:same` (or `STTY:changed`: the tty modes did not come back) and `EXITED:<code>`, then idles
 * so it stays readable.
 */
export function tmuxServer(): {
  open(env: NodeJS.ProcessEnv, args: string[]): TmuxPane;
  close(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), "kavilo-tmux-"));
  const socket = join(dir, "socket");
  let panes = 0;
  const tmux = (...args: string[]) => {
    const env = { ...process.env };
    delete env.TMUX; // the tests may themselves run inside tmux
    return execFileSync("tmux", ["-S", socket, "-f", "/dev/null", ...args], { env, encoding: "utf8" });
  };
  return {
    open(env, args) {
      panes += 1;
      const target = `p${panes}`;
      const vars = Object.entries({ ...env, TERM: "xterm-256color" })
        .filter((e): e is [string, string] => e[1] !== undefined)
        .map(([k, v]) => shellQuote(`${k}=${v}`))
        .join(" ");
      const cli = [process.execPath, BIN, ...args].map(shellQuote).join(" ");
      const script =
        `cd ${shellQuote(env.HOME ?? "/")}; before=$(stty -g); env -i ${vars} ${cli}; code=$?; ` +
        `[ "$(stty -g)" = "$before" ] && echo STTY:same || echo STTY:changed; echo EXITED:$code; exec sleep 600`;
      tmux("new-session", "-d", "-s", target, "-x", "100", "-y", "30", script);
      const screen = () => tmux("capture-pane", "-p", "-t", target);
      const waitFor = async (test: (s: string) => boolean, what: string, timeoutMs = 10_000) => {
        const deadline = Date.now() + timeoutMs;
        let last = "";
        while (Date.now() < deadline) {
          last = screen();
          if (test(last)) return last;
          await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error(`timed out waiting for ${what}; screen:\n${last}`);
      };
      return {
        target,
        screen,
        styled: () => tmux("capture-pane", "-p", "-e", "-t", target),
        history: () => tmux("capture-pane", "-p", "-S", "-", "-t", target),
        waitFor,
        see: (text, timeoutMs) =>
          waitFor(
            (s) => (typeof text === "string" ? s.includes(text) : text.test(s)),
            typeof text === "string" ? JSON.stringify(text) : String(text),
            timeoutMs,
          ),
        keys: (...keys) => void tmux("send-keys", "-t", target, ...keys),
        send: (line) => void tmux("send-keys", "-t", target, line, "Enter"),
        resize: (columns) => void tmux("resize-window", "-t", target, "-x", String(columns)),
        cursorVisible: () => tmux("display-message", "-p", "-t", target, "#{cursor_flag}").trim() === "1",
      };
    },
    close() {
      try {
        tmux("kill-server");
      } catch {
        // no server left: every session already ended
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
