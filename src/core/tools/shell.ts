import type { spawn as spawnType } from "node:child_process";
import * as z from "zod";
import { HeadTailBuffer } from "./output-cap.js";
import { scrubEnv } from "./scrub-env.js";
import { DEFAULT_SHELL_MAX_OUTPUT, shellDescription } from "./shell-description.js";
import { defineTool, ToolError } from "./types.js";

export interface ShellToolOptions {
  /** Seconds before the command's process group is killed (tools.exec.timeout). */
  timeoutS: number;
  /** Drop credential-looking variables from the child's env (tools.exec.scrubEnv). */
  scrubEnv: boolean;
  /** More env name globs to drop when scrubbing (tools.exec.scrubEnvExtra). */
  scrubEnvExtra?: readonly string[];
  /** Env names that pass even when scrubbing (tools.exec.scrubEnvKeep). */
  scrubEnvKeep?: readonly string[];
  /** The env the child inherits; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** Total output kept, split between head and tail. */
  maxOutputBytes?: number;
  /** Time between SIGTERM and SIGKILL after a timeout or abort. */
  killGraceMs?: number;
}

// After the shell exits, a grandchild that left the group can hold the pipes open forever.
const DRAIN_AFTER_EXIT_MS = 2000;

const parameters = z.object({
  command: z.string().min(1).describe("Shell command, run with sh -c in the workspace directory"),
});

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

export function createShellTool(options: ShellToolOptions) {
  const maxOutput = options.maxOutputBytes ?? DEFAULT_SHELL_MAX_OUTPUT;
  const graceMs = options.killGraceMs ?? 1000;
  return defineTool({
    name: "shell",
    description: shellDescription(options.timeoutS, maxOutput),
    parameters,
    capabilities: { sideEffect: true },
    async run(args, ctx) {
      if (ctx.signal.aborted) throw new ToolError("shell was aborted before it started");
      const baseEnv = options.env ?? process.env;
      const env = options.scrubEnv
        ? scrubEnv(baseEnv, { extra: options.scrubEnvExtra ?? [], keep: options.scrubEnvKeep ?? [] })
        : { ...baseEnv };
      const output = new HeadTailBuffer(Math.floor(maxOutput / 2), Math.ceil(maxOutput / 2));
      // Loaded on use, like every tool's heavier dependencies: start-up is most of a one-shot's time.
      const spawn: typeof spawnType = (await import("node:child_process")).spawn;

      const outcome = await new Promise<Outcome>((resolve, reject) => {
        const child = spawn("sh", ["-c", args.command], {
          cwd: ctx.workspace,
          env,
          detached: true,
          stdio: ["ignore", "pipe", "pipe"],
        });
        let timedOut = false;
        let aborted = false;
        let killTimer: NodeJS.Timeout | undefined;
        let drainTimer: NodeJS.Timeout | undefined;
        const stop = (): void => {
          killGroup(child.pid, "SIGTERM");
          killTimer = setTimeout(() => killGroup(child.pid, "SIGKILL"), graceMs);
        };
        const timer = setTimeout(() => {
          timedOut = true;
          stop();
        }, options.timeoutS * 1000);
        const onAbort = (): void => {
          aborted = true;
          stop();
        };
        ctx.signal.addEventListener("abort", onAbort, { once: true });
        const cleanup = (): void => {
          clearTimeout(timer);
          clearTimeout(killTimer);
          clearTimeout(drainTimer);
          ctx.signal.removeEventListener("abort", onAbort);
        };
        child.stdout.on("data", (chunk: Buffer) => output.push(chunk));
        child.stderr.on("data", (chunk: Buffer) => output.push(chunk));
        child.on("error", (err) => {
          cleanup();
          reject(new ToolError(`Could not start sh: ${err.message}`));
        });
        child.on("exit", () => {
          drainTimer = setTimeout(() => {
            child.stdout.destroy();
            child.stderr.destroy();
          }, DRAIN_AFTER_EXIT_MS);
        });
        child.on("close", (code, signal) => {
          cleanup();
          resolve({ code, signal, timedOut, aborted });
        });
      });

      const text = output.toString();
      const body = text.length > 0 ? text.replace(/\n$/, "") : "(no output)";
      let status: string;
      if (outcome.timedOut) status = `[timed out after ${options.timeoutS} s; process group killed]`;
      else if (outcome.aborted) status = "[aborted; process group killed]";
      else if (outcome.signal) status = `[killed by signal ${outcome.signal}]`;
      else status = `[exit code ${outcome.code ?? "unknown"}]`;
      const isError = outcome.timedOut || outcome.aborted || outcome.signal !== null || outcome.code !== 0;
      return { content: `${body}\n${status}`, isError };
    },
  });
}
