import { mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scrubEnv } from "../../src/core/tools/scrub-env.js";
import { createShellTool, type ShellToolOptions } from "../../src/core/tools/shell.js";

let ws: string;

beforeAll(async () => {
  ws = await realpath(await mkdtemp(join(tmpdir(), "kavilo-shell-")));
});

afterAll(async () => {
  await rm(ws, { recursive: true, force: true });
});

function ctx(signal = new AbortController().signal) {
  return { workspace: ws, restrictToWorkspace: true, signal, sessionKey: "t" };
}

async function run(command: string, opts: Partial<ShellToolOptions> = {}, signal?: AbortSignal) {
  const tool = createShellTool({ timeoutS: 10, scrubEnv: false, ...opts });
  const res = await tool.run({ command }, ctx(signal));
  if (typeof res === "string") throw new Error("shell returns a structured result");
  return { content: String(res.content), isError: res.isError };
}

describe("shell", () => {
  it("runs in the workspace and reports exit code 0", async () => {
    const res = await run("pwd; echo err >&2");
    expect(res).toEqual({ content: `${ws}\nerr\n[exit code 0]`, isError: false });
  });

  it("reports a non-zero exit code as an error", async () => {
    await expect(run("echo nope; exit 3")).resolves.toEqual({
      content: "nope\n[exit code 3]",
      isError: true,
    });
  });

  it("kills the whole process group on timeout and says so", async () => {
    const started = Date.now();
    // The background sleep is a grandchild: only a group kill ends it and closes the pipes quickly.
    const res = await run("sleep 30 & sleep 30; echo never", { timeoutS: 0.5 });
    expect(Date.now() - started).toBeLessThan(1900);
    expect(res.isError).toBe(true);
    expect(res.content).toContain("[timed out after 0.5 s; process group killed]");
    expect(res.content).not.toContain("never");
  });

  it("kills the command when the turn is aborted", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const res = await run("sleep 30", {}, controller.signal);
    expect(res).toMatchObject({ isError: true });
    expect(res.content).toContain("[aborted; process group killed]");
  });

  it("reports a signal that killed the shell", async () => {
    const res = await run("kill -9 $$");
    expect(res.content).toContain("[killed by signal SIGKILL]");
  });

  it("caps output, keeping head and tail", async () => {
    const res = await run("echo START; head -c 200000 /dev/zero | tr '\\0' x; echo; echo END", {
      maxOutputBytes: 1000,
    });
    expect(res.content.startsWith("START\n")).toBe(true);
    expect(res.content).toMatch(/\[\.\.\. \d+ bytes of output omitted \.\.\.\]/);
    expect(res.content).toContain("END\n[exit code 0]");
    expect(res.content.length).toBeLessThan(1200);
  });

  it("scrubs credential variables when scrubEnv is on, keeping PATH", async () => {
    const env = {
      PATH: process.env.PATH,
      OPENAI_API_KEY: "sk-1",
      GITHUB_API_TOKEN: "t-1",
      FOO_SECRET: "s-1",
      KAVILO_X: "k-1",
      MY_CUSTOM_PASS: "p-1",
      HARMLESS: "ok",
    };
    const scrubbed = await run("env", { env, scrubEnv: true, scrubEnvExtra: ["*_PASS"] });
    for (const gone of ["OPENAI_API_KEY", "GITHUB_API_TOKEN", "FOO_SECRET", "KAVILO_X", "MY_CUSTOM_PASS"]) {
      expect(scrubbed.content).not.toContain(`${gone}=`);
    }
    expect(scrubbed.content).toContain(`PATH=${process.env.PATH}`);
    expect(scrubbed.content).toContain("HARMLESS=ok");

    const kept = await run("env", { env, scrubEnv: false });
    expect(kept.content).toContain("OPENAI_API_KEY=sk-1");
    expect(kept.content).toContain("KAVILO_X=k-1");
  });
});

describe("scrubEnv", () => {
  it("drops default and extra patterns, case-insensitively, and undefined values", () => {
    const out = scrubEnv(
      { anthropic_api_key: "a", AWS_SESSION: "b", HOME: "/h", EMPTY: undefined, KAVILO_HOME: "/k" },
      { extra: ["AWS_*"] },
    );
    expect(out).toEqual({ HOME: "/h" });
  });
});
