import { spawn } from "node:child_process";
import { mkdtempSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const BIN = join(ROOT, "bin", "kavilo.js");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A fresh fake user home: HOME points here, so ~/.kavilo is inside it. */
export function tempHome(prefix = "kavilo-test-"): string {
  return realpathSync(mkdtempSync(join(tmpdir(), prefix)));
}

/** The env a test CLI run gets: nothing of the developer's keys, HOME pointed at a temp dir. */
export function cleanEnv(home: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    LANG: "C.UTF-8",
    TZ: "UTC",
    NO_COLOR: "1",
    OLLAMA_HOST: "127.0.0.1:9", // nothing listens on the discard port: no accidental local Ollama
  };
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** cleanEnv with kavilo pointed at an OpenAI-compatible fake at `url` (test key, model gpt-test). */
export function openaiEnv(
  home: string,
  url: string,
  extra: Record<string, string | undefined> = {},
): NodeJS.ProcessEnv {
  return cleanEnv(home, {
    KAVILO_PROVIDER: "openai",
    KAVILO_API_BASE: url,
    KAVILO_API_KEY: "test-key-not-secret",
    KAVILO_MODEL: "gpt-test",
    ...extra,
  });
}

export function runCli(
  args: string[],
  opts: { env: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; cwd?: string },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: opts.env,
      cwd: opts.cwd ?? opts.env.HOME,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`kavilo ${args.join(" ")} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 15_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? "");
  });
}
