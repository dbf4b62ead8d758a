import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN } from "./cli.js";

const shellQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

export interface TmuxPane {
  screen(): string;
  /** Polls the screen until `text` shows; throws with the last screen after the timeout. */
  see(text: string | RegExp, timeoutMs?: number): Promise<string>;
  keys(...keys: string[]): void;
}

/** A private tmux server (its own socket in a temp dir) that runs the built CLI in 100x30 panes. */
export function tmuxServer(): { open(env: NodeJS.ProcessEnv, args: string[]): TmuxPane; close(): void } {
  const dir = mkdtempSync(join(tmpdir(), "kavilo-tmux-"));
  const socket = join(dir, "socket");
  let panes = 0;
  const tmux = (...args: string[]) => {
    const env = { ...process.env };
    delete env.TMUX;
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
      const script = `cd ${shellQuote(env.HOME ?? "/")}; env -i ${vars} ${cli}; echo EXITED:$?; exec sleep 600`;
      tmux("new-session", "-d", "-s", target, "-x", "100", "-y", "30", script);
      const screen = () => tmux("capture-pane", "-p", "-t", target);
      return {
        screen,
        async see(text, timeoutMs = 10_000) {
          const deadline = Date.now() + timeoutMs;
          let last = "";
          while (Date.now() < deadline) {
            last = screen();
            if (typeof text === "string" ? last.includes(text) : text.test(last)) return last;
            await new Promise((r) => setTimeout(r, 50));
          }
          throw new Error(`timed out waiting for ${String(text)}; screen:\n${last}`);
        },
        keys: (...keys) => void tmux("send-keys", "-t", target, ...keys),
      };
    },
    close() {
      try {
        tmux("kill-server");
      } catch {
        // no server left
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
