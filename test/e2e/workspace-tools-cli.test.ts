import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeLlm, startFakeOpenAI } from "../fakes/openai-server.js";
import { BIN, type CliResult, cleanEnv, tempHome } from "../helpers/cli.js";

let llm: FakeLlm | undefined;
afterEach(async () => {
  await llm?.close();
  llm = undefined;
});

/** kavilo with a file size limit (ulimit -f, in 512-byte blocks): a write past it fails with EFBIG. */
function runLimited(args: string[], env: NodeJS.ProcessEnv, blocks: number): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const quoted = args.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
    const child = spawn("sh", ["-c", `ulimit -f ${blocks}; exec '${process.execPath}' '${BIN}' ${quoted}`], {
      env,
      cwd: env.HOME,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("kavilo agent -m file tools", () => {
  it("a write that fails leaves no file and no temp file; the sessions folder is off limits", async () => {
    llm = await startFakeOpenAI({
      steps: [
        {
          toolCalls: [
            { id: "c1", name: "write_file", args: { path: "notes/big.txt", content: "x".repeat(200_000) } },
            { id: "c2", name: "list_directory", args: { path: "sessions" } },
            { id: "c3", name: "write_file", args: { path: "sessions/cli_default.jsonl", content: "{}\n" } },
          ],
        },
        { text: "done" },
      ],
    });
    const home = tempHome("kavilo-ws-cli-");
    const env = cleanEnv(home, {
      KAVILO_PROVIDER: "openai",
      KAVILO_API_BASE: llm.url,
      KAVILO_API_KEY: "k",
      KAVILO_MODEL: "m",
    });
    // 100 blocks = 50 KiB: the 200 kB file does not fit (nor does the session that quotes it, so
    // the turn ends with "not saved", exit 1; what matters here is what the tools did and left).
    const r = await runLimited(["agent", "-m", "write it"], env, 100);
    expect(r.stderr).toContain("✗ write_file: notes/big.txt: the file would be too large");
    expect(r.stderr).toMatch(/✗ list_directory: Path "sessions" is in kavilo's sessions folder/);
    expect(r.stderr).toMatch(
      /✗ write_file: Path "sessions\/cli_default.jsonl" is in kavilo's sessions folder/,
    );

    const workspace = join(home, ".kavilo", "workspace");
    expect(existsSync(join(workspace, "notes", "big.txt"))).toBe(false);
    const everything = readdirSync(join(home), { recursive: true }).map(String);
    expect(everything.filter((f) => f.endsWith(".tmp"))).toEqual([]);
  }, 40_000);
});
