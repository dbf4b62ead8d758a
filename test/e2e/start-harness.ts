/** Runs the built `kavilo start` as a subprocess in a temp home, for the start-*.test.ts files. */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, openaiEnv, tempHome } from "../helpers/cli.js";

export interface RunningKavilo {
  child: ChildProcess;
  /** The user home (HOME); the profile is <home>/.kavilo. */
  home: string;
  kaviloHome: string;
  stderr(): string;
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
  exited: Promise<number | null>;
}

const children = new Set<ChildProcess>();

/** For afterEach: no kavilo outlives its test. */
export function killAll(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  children.clear();
}

export function writeConfig(home: string, config: unknown): string {
  const dir = join(home, ".kavilo");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "config.json"), JSON.stringify(config, null, 2));
  return dir;
}

export function llmEnv(home: string, llmUrl: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return openaiEnv(home, llmUrl, {
    KAVILO_RECONNECT_BASE_MS: "50",
    KAVILO_RECONNECT_MAX_MS: "200",
    KAVILO_SLACK_PING_TIMEOUT_MS: "300",
    ...extra,
  });
}

export interface StartOptions {
  home?: string;
  config?: unknown;
  env: (home: string) => NodeJS.ProcessEnv;
  /** Global flags, placed before `start` (e.g. --debug). */
  args?: string[];
  /** Waits for this on stderr before resolving; default the "running:" line. */
  ready?: RegExp;
  /** An executable to run instead of `node bin/kavilo.js` (the single binary). */
  bin?: string;
}

export async function startKavilo(opts: StartOptions): Promise<RunningKavilo> {
  const home = opts.home ?? tempHome("kavilo-start-");
  const kaviloHome = opts.config !== undefined ? writeConfig(home, opts.config) : join(home, ".kavilo");
  const [file, ...prefix] = opts.bin ? [opts.bin] : [process.execPath, BIN];
  const child = spawn(file as string, [...prefix, ...(opts.args ?? []), "start"], {
    env: opts.env(home),
    cwd: home,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let err = "";
  const waiters = new Set<() => void>();
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
    for (const w of waiters) w();
  });
  child.stdout?.resume();
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const waitForStderr = (pattern: RegExp, timeoutMs = 10_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (pattern.test(err)) {
          cleanup();
          resolve();
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`stderr did not match ${pattern} within ${timeoutMs} ms:\n${err}`));
      }, timeoutMs);
      const onExit = () => {
        cleanup();
        if (pattern.test(err)) resolve();
        else reject(new Error(`kavilo exited before stderr matched ${pattern}:\n${err}`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
        child.off("exit", onExit);
      };
      waiters.add(check);
      child.once("exit", onExit);
      check();
    });
  const running: RunningKavilo = {
    child,
    home,
    kaviloHome,
    stderr: () => err,
    waitForStderr,
    exited,
    async stop(signal = "SIGTERM", timeoutMs = 15_000) {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  await waitForStderr(opts.ready ?? /running: /);
  return running;
}
