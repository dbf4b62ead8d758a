import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeLlm, startFakeOpenAI } from "../fakes/openai-server.js";
import { BIN, openaiEnv, runCli, tempHome } from "../helpers/cli.js";
import { savedMessages } from "../helpers/sessions.js";

// `kavilo ... | head -1`: the reader goes away and Node turns the SIGPIPE into an EPIPE error on
// stdout. It used to crash the command with a stack trace; now the output ends quietly, and a
// one-shot stops its turn as a signal would.

let fake: FakeLlm | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** Runs the CLI and closes its stdout after `keepLines` lines (0: at once), like `| head -n`. */
function runClosingStdout(
  args: string[],
  env: NodeJS.ProcessEnv,
  keepLines: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    if (keepLines === 0) child.stdout.destroy();
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      if (stdout.split("\n").length > keepLines) child.stdout.destroy();
    });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`timed out: ${stderr}`));
    }, 20_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("a closed stdout", () => {
  it("stops agent -m quietly: exit 141 (SIGPIPE's), no stack trace, the partial answer and [aborted] saved", async () => {
    // An answer that streams for ~2 s, one word every 200 ms.
    fake = await startFakeOpenAI({
      steps: [{ text: Array.from({ length: 10 }, (_, i) => `w${i} `), chunkDelayMs: 200 }],
    });
    const home = tempHome();
    const r = await runClosingStdout(
      ["agent", "-m", "stream a while", "--json"],
      openaiEnv(home, fake.url),
      2,
    );
    expect(r.code, r.stderr).toBe(141);
    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(r.stderr).toBe("");
    const messages = savedMessages(join(home, ".kavilo", "workspace", "sessions"));
    // What had arrived, then the mark: the turn stopped mid-answer.
    const last = messages.at(-1)!;
    expect(last.role).toBe("assistant");
    expect(String(last.content)).toMatch(/^w0 [\s\S]*\[aborted\]$/);
    expect(String(last.content)).not.toContain("w9");
  });

  it("ends any other command's output quietly", async () => {
    fake = await startFakeOpenAI({ steps: [{ text: "a saved answer" }] });
    const home = tempHome();
    const env = openaiEnv(home, fake.url);
    expect((await runCli(["agent", "-m", "hi", "-q"], { env })).code).toBe(0);
    for (const args of [
      ["sessions", "show", "cli:default"],
      ["sessions", "list"],
      ["agent", "-m", "hi", "-q"],
    ]) {
      const r = await runClosingStdout(args, env, 0);
      expect(r.stderr, args.join(" ")).not.toMatch(/EPIPE|\n\s+at /);
    }
  });
});
