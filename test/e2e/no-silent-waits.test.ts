import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeLlm, startFakeOpenAI } from "../fakes/openai-server.js";
import { cleanEnv, runCli, tempHome } from "../helpers/cli.js";

// No silent waits: agent -m prints one stderr line per provider retry.
let llm: FakeLlm;
beforeAll(async () => {
  llm = await startFakeOpenAI({
    respond: (_req, i) => (i < 2 ? { fault: { status: 503 } } : { text: "finally" }),
  });
});
afterAll(async () => llm?.close());

describe("agent -m while a provider call is retried", () => {
  it("prints one status line per retry on stderr, then the answer", async () => {
    const env = cleanEnv(tempHome(), {
      KAVILO_PROVIDER: "openai",
      KAVILO_API_BASE: llm.url,
      KAVILO_API_KEY: "test-key-not-secret",
      KAVILO_MODEL: "gpt-test",
      KAVILO_RETRY_BASE_MS: "40",
    });
    const r = await runCli(["agent", "-m", "hi", "-q"], { env, input: "" });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("finally");
    const lines = r.stderr.split("\n").filter((l) => l.includes("retrying"));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^kavilo: openai: 503, retrying in \d+(\.\d)? s \(1\/\d+\)$/);
    expect(lines[1]).toMatch(/^kavilo: openai: 503, retrying in \d+(\.\d)? s \(2\/\d+\)$/);
  });
});
