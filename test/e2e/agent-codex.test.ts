import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeLlm, startFakeCodex, usageLimitBody } from "../fakes/codex-server.js";
import { type FakeOpenAiTokenServer, startFakeOpenAiTokenServer } from "../fakes/openai-token-server.js";
import { bodyOf } from "../fakes/sse.js";
import { cleanEnv, runCli, tempHome } from "../helpers/cli.js";

/**
 * `provider: "openai_codex"` end to end: the built CLI, a temporary home and CODEX_HOME, the fake
 * Codex backend and the fake ChatGPT token endpoint.
 */
let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});

async function codex(opts: Parameters<typeof startFakeCodex>[0]): Promise<FakeLlm> {
  const f = await startFakeCodex(opts);
  closers.push(() => f.close());
  return f;
}

async function tokens(): Promise<FakeOpenAiTokenServer> {
  const t = await startFakeOpenAiTokenServer({ accountId: "acc-e2e-42", plan: "plus" });
  closers.push(() => t.close());
  return t;
}

/** A home with `codex login`'s auth.json (and a key kavilo does not know, which must survive). */
async function loggedIn(t: FakeOpenAiTokenServer) {
  const home = tempHome();
  const codexHome = join(home, "codex-home");
  mkdirSync(codexHome, { mode: 0o700 });
  const set = await t.mint();
  const auth = {
    OPENAI_API_KEY: null,
    tokens: { ...set },
    last_refresh: "2026-01-01T00:00:00Z",
    future_field: { kept: true },
  };
  const authPath = join(codexHome, "auth.json");
  writeFileSync(authPath, JSON.stringify(auth, null, 2), { mode: 0o600 });
  return { home, codexHome, authPath, set };
}

function envFor(home: string, codexHome: string, llm: FakeLlm, t: FakeOpenAiTokenServer, extra = {}) {
  return cleanEnv(home, {
    KAVILO_PROVIDER: "openai_codex",
    KAVILO_API_BASE: llm.url,
    CODEX_HOME: codexHome,
    CODEX_REFRESH_TOKEN_URL_OVERRIDE: t.tokenUrl,
    KAVILO_RETRY_BASE_MS: "5",
    ...extra,
  });
}

type Item = Record<string, unknown>;
const inputOf = (f: FakeLlm, i: number) => bodyOf(f.requests[i]).input as Item[];

describe("kavilo agent -m with provider openai_codex", () => {
  it("completes a write_file round trip with the Codex headers, body and call_id pairing, and records reasoning usage", async () => {
    const t = await tokens();
    const { home, codexHome, set } = await loggedIn(t);
    const llm = await codex({
      steps: [
        {
          reasoning: "The user wants a note.",
          text: "Writing it.",
          toolCalls: [
            { id: "call_w1", name: "write_file", args: { path: "note.txt", content: "hello codex\n" } },
          ],
          usage: { input: 300, output: 50, reasoning: 32, cacheRead: 100 },
        },
        { text: "Done: note.txt written.", usage: { input: 420, output: 9, reasoning: 0 } },
      ],
    });
    const env = envFor(home, codexHome, llm, t, { KAVILO_MODEL: "gpt-5.5" });
    const r = await runCli(["agent", "-m", "write note.txt"], { env });
    expect(r.stderr).toContain("→ write_file");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Done: note.txt written.");
    expect(readFileSync(join(home, ".kavilo", "workspace", "note.txt"), "utf8")).toBe("hello codex\n");

    expect(llm.requests).toHaveLength(2);
    for (const req of llm.requests) {
      expect(req.headers.authorization).toBe(`Bearer ${set.access_token}`);
      // No tokens.account_id in this auth.json: the id comes from the access token's claim.
      expect(req.headers["chatgpt-account-id"]).toBe("acc-e2e-42");
      expect(req.headers.originator).toBe("kavilo");
      expect(req.headers["user-agent"] ?? "").not.toMatch(/codex/i);
      const body = bodyOf(req);
      expect(body.store).toBe(false);
      expect(body.model).toBe("gpt-5.5");
      expect(String(body.instructions)).toContain("You are kavilo");
      expect(body).not.toHaveProperty("max_output_tokens");
      expect(body).not.toHaveProperty("temperature");
    }
    const second = inputOf(llm, 1);
    const call = second.find((i) => i.type === "function_call");
    const output = second.find((i) => i.type === "function_call_output");
    expect(call).toMatchObject({ call_id: "call_w1", name: "write_file" });
    expect(output?.call_id).toBe("call_w1");
    expect(String(output?.output)).toMatch(/wrote|bytes/i);
    // The encrypted reasoning of the first response goes back before its call.
    const reasoningAt = second.findIndex((i) => i.type === "reasoning");
    expect(reasoningAt).toBeGreaterThanOrEqual(0);
    expect(second[reasoningAt]?.encrypted_content).toBe("enc-0");
    expect(reasoningAt).toBeLessThan(second.indexOf(call!));

    const usage = await runCli(["usage", "--json"], { env });
    const total = JSON.parse(usage.stdout).total;
    expect(total).toMatchObject({ calls: 2, input: 720, output: 59, reasoning: 32, cacheRead: 100 });
  });

  it("two identical runs send the same prompt_cache_key", async () => {
    const t = await tokens();
    const llm = await codex({ steps: [{ text: "ok" }] });
    const keys: unknown[] = [];
    for (let i = 0; i < 2; i++) {
      const { home, codexHome } = await loggedIn(t);
      const r = await runCli(["agent", "-m", "same question", "-q"], {
        env: envFor(home, codexHome, llm, t),
      });
      expect(r.code).toBe(0);
      keys.push(bodyOf(llm.requests[i]).prompt_cache_key);
    }
    expect(keys[0]).toMatch(/^kavilo-/);
    expect(keys[1]).toBe(keys[0]);
  });

  it("a 401 refreshes the login once and retries; auth.json holds the rotated tokens, its other keys kept, mode 0600", async () => {
    const t = await tokens();
    const { home, codexHome, authPath, set } = await loggedIn(t);
    // The backend has stopped taking the access token on disk (revoked server-side, say).
    const llm = await codex({
      acceptsBearer: (tok) => tok !== set.access_token,
      steps: [{ text: "fresh answer" }],
    });
    const r = await runCli(["agent", "-m", "hello", "-q"], { env: envFor(home, codexHome, llm, t) });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("fresh answer");
    expect(llm.requests).toHaveLength(2);
    expect(t.stats.refreshes).toBe(1);

    const after = JSON.parse(readFileSync(authPath, "utf8"));
    expect(after.tokens.access_token).not.toBe(set.access_token);
    expect(after.tokens.refresh_token).not.toBe(set.refresh_token);
    expect(llm.requests[1]?.headers.authorization).toBe(`Bearer ${after.tokens.access_token}`);
    expect(after.OPENAI_API_KEY).toBeNull();
    expect(after.future_field).toEqual({ kept: true });
    expect(statSync(authPath).mode & 0o777).toBe(0o600);
    const text = readFileSync(authPath, "utf8");
    expect(r.stdout + r.stderr).not.toContain(after.tokens.access_token);
    expect(text).toContain(after.tokens.refresh_token);
  });

  it("a 401 that survives the refresh is one line saying to re-run codex login, exit 1", async () => {
    const t = await tokens();
    const { home, codexHome } = await loggedIn(t);
    const llm = await codex({ acceptsBearer: () => false });
    const r = await runCli(["agent", "-m", "hello", "-q"], { env: envFor(home, codexHome, llm, t) });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("re-run `codex login` and retry");
    expect(llm.requests).toHaveLength(2);
  });

  it("429 usage_limit_reached is one line with the plan and the reset in the configured time zone, exit 1", async () => {
    const t = await tokens();
    const { home, codexHome } = await loggedIn(t);
    const resets = new Date("2031-06-01T12:30:00Z");
    const llm = await codex({ steps: [{ fault: { status: 429, body: usageLimitBody("pro", resets) } }] });
    const env = envFor(home, codexHome, llm, t);
    await runCli(["config", "set", "agents.defaults.timezone", "America/New_York"], { env });
    const r = await runCli(["agent", "-m", "hello", "-q"], { env });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("ChatGPT Pro plan's usage limit is reached");
    // 12:30 UTC on 1 June is 08:30 in New York (EDT).
    expect(lines[0]).toMatch(/1 Jun 2031,? 08:30 (EDT|GMT-4)/);
    expect(llm.requests).toHaveLength(1);
  });

  it("without auth.json it says to run codex login and mentions the keyring setting, exit 1", async () => {
    const t = await tokens();
    const home = tempHome();
    const llm = await codex({ steps: [{ text: "never" }] });
    const r = await runCli(["agent", "-m", "hello", "-q"], {
      env: envFor(home, join(home, "no-codex"), llm, t),
    });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    // The fix is the login command, not the generic "check the provider" hint.
    expect(lines[0]).toMatch(/^kavilo: No Codex login at .*auth\.json; run `codex login` \(/);
    expect(lines[0]).toContain('cli_auth_credentials_store = "file"');
    expect(lines[0]).not.toContain("kavilo status");
    expect(llm.requests).toHaveLength(0);
  });
});
