import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic } from "../fakes/anthropic-server.js";
import { type FakeLlm, startFakeOpenAI } from "../fakes/openai-server.js";
import { cleanEnv, runCli, tempHome } from "../helpers/cli.js";

// OPENAI_BASE_URL and ANTHROPIC_BASE_URL, as other tools set them; KAVILO_API_BASE wins over them.
let openai: FakeLlm;
let other: FakeLlm;
let anthropic: FakeLlm;
beforeAll(async () => {
  openai = await startFakeOpenAI({ respond: () => ({ text: "from OPENAI_BASE_URL" }) });
  other = await startFakeOpenAI({ respond: () => ({ text: "from KAVILO_API_BASE" }) });
  anthropic = await startFakeAnthropic({ respond: () => ({ text: "from ANTHROPIC_BASE_URL" }) });
});
afterAll(async () => {
  await Promise.all([openai?.close(), other?.close(), anthropic?.close()]);
});

describe("vendor base URL variables", () => {
  it("OPENAI_BASE_URL sends openai requests there", async () => {
    const env = cleanEnv(tempHome(), { OPENAI_API_KEY: "sk-test-not-secret", OPENAI_BASE_URL: openai.url });
    const r = await runCli(["agent", "-m", "hi", "--model", "gpt-test"], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("from OPENAI_BASE_URL");
  });

  it("ANTHROPIC_BASE_URL sends anthropic requests there", async () => {
    const env = cleanEnv(tempHome(), {
      ANTHROPIC_API_KEY: "sk-ant-test-not-secret",
      ANTHROPIC_BASE_URL: anthropic.url,
    });
    const r = await runCli(["agent", "-m", "hi", "--model", "claude-test"], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("from ANTHROPIC_BASE_URL");
  });

  it("KAVILO_API_BASE wins over OPENAI_BASE_URL", async () => {
    const before = openai.requests.length;
    const env = cleanEnv(tempHome(), {
      OPENAI_API_KEY: "sk-test-not-secret",
      OPENAI_BASE_URL: openai.url,
      KAVILO_PROVIDER: "openai",
      KAVILO_API_BASE: other.url,
    });
    const r = await runCli(["agent", "-m", "hi", "--model", "gpt-test"], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("from KAVILO_API_BASE");
    expect(openai.requests.length).toBe(before);
  });
});
