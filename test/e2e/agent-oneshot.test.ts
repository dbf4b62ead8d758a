import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startFakeAnthropic } from "../fakes/anthropic-server.js";
import { type FakeLlm, startFakeOpenAI } from "../fakes/openai-server.js";
import { cleanEnv, runCli, tempHome } from "../helpers/cli.js";

let fakes: FakeLlm[] = [];
afterEach(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  fakes = [];
});

type Wire = "openai" | "anthropic";

async function fake(wire: Wire, opts: Parameters<typeof startFakeOpenAI>[0]): Promise<FakeLlm> {
  const f = wire === "openai" ? await startFakeOpenAI(opts) : await startFakeAnthropic(opts);
  fakes.push(f);
  return f;
}

function envFor(wire: Wire, home: string, url: string, extra: Record<string, string> = {}) {
  return cleanEnv(home, {
    KAVILO_PROVIDER: wire,
    KAVILO_API_BASE: url,
    KAVILO_API_KEY: "test-key-not-secret",
    KAVILO_MODEL: wire === "openai" ? "gpt-test" : "claude-test",
    ...extra,
  });
}

/** Finds the tool result in the provider's second request, in either wire format. */
function toolResultOf(wire: Wire, body: unknown): { id: string; text: string } | undefined {
  const messages = (body as { messages: Array<Record<string, unknown>> }).messages;
  for (const m of messages) {
    if (wire === "openai" && m.role === "tool")
      return { id: String(m.tool_call_id), text: String(m.content) };
    if (wire === "anthropic" && Array.isArray(m.content)) {
      for (const block of m.content as Array<Record<string, unknown>>) {
        if (block.type === "tool_result") {
          const c = block.content;
          const text =
            typeof c === "string" ? c : (c as Array<{ text?: string }>).map((x) => x.text ?? "").join("");
          return { id: String(block.tool_use_id), text };
        }
      }
    }
  }
  return undefined;
}

describe.each<Wire>(["openai", "anthropic"])("kavilo agent -m over %s", (wire) => {
  it("writes a file with a tool, answers, records usage and persists the session", async () => {
    const llm = await fake(wire, {
      steps: [
        {
          text: "Writing it now.",
          toolCalls: [
            {
              id: "call_write_1",
              name: "write_file",
              args: { path: "notes/hello.txt", content: "hi there\n" },
            },
          ],
          usage: { input: 120, output: 30, cacheRead: 7 },
        },
        { text: "Done: notes/hello.txt now says hi there.", usage: { input: 160, output: 12 } },
      ],
    });
    const home = tempHome();
    const env = envFor(wire, home, llm.url);
    const r = await runCli(["agent", "-m", "please write the note"], { env });
    expect(r.stderr).toContain("→ write_file");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Done: notes/hello.txt now says hi there.");

    const ws = join(home, ".kavilo", "workspace");
    expect(readFileSync(join(ws, "notes", "hello.txt"), "utf8")).toBe("hi there\n");

    expect(llm.requests).toHaveLength(2);
    const result = toolResultOf(wire, llm.requests[1]!.body);
    expect(result?.id).toBe("call_write_1");
    expect(result?.text).toMatch(/wrote|bytes/i);

    const usageDir = join(home, ".kavilo", "usage");
    const lines = readdirSync(usageDir).flatMap((f) =>
      readFileSync(join(usageDir, f), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l)),
    );
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      provider: wire,
      session: "cli:default",
      input: 120,
      output: 30,
      cacheRead: 7,
    });

    const sessionFiles = readdirSync(join(ws, "sessions")).filter((f) => f.endsWith(".jsonl"));
    expect(sessionFiles).toHaveLength(1);
    const records = readFileSync(join(ws, "sessions", sessionFiles[0]!), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(records[0]).toMatchObject({ type: "meta", key: "cli:default" });
    const roles = records.slice(1).map((x) => x.message.role);
    expect(roles).toEqual(["user", "assistant", "tool", "assistant"]);

    // The next turn in the same session carries the history.
    const second = await runCli(["agent", "-m", "and again?", "-q"], { env });
    expect(second.code).toBe(0);
    const third = llm.requests[2]!.body as { messages: unknown[] };
    expect(JSON.stringify(third.messages)).toContain("please write the note");
    expect(second.stderr).toBe("");

    const usage = await runCli(["usage", "--json"], { env });
    expect(JSON.parse(usage.stdout).total.calls).toBe(3);
  });

  it("reads the message from stdin with -m - and prints JSON events with --json", async () => {
    const llm = await fake(wire, { steps: [{ text: "pong" }] });
    const home = tempHome();
    const r = await runCli(["agent", "-m", "-", "--json", "--session", "other"], {
      env: envFor(wire, home, llm.url),
      input: "ping from stdin",
    });
    expect(r.code).toBe(0);
    const events = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(events[0]).toMatchObject({ type: "turn-start", sessionKey: "other" });
    expect(events.at(-1)).toMatchObject({ type: "turn-end", reason: "stop", text: "pong" });
    expect(JSON.stringify(llm.requests[0]!.body)).toContain("ping from stdin");
  });

  it("a provider error is one line with the status and a hint, exit 1", async () => {
    const llm = await fake(wire, { steps: [{ fault: { status: 401 } }] });
    const r = await runCli(["agent", "-m", "hi"], { env: envFor(wire, tempHome(), llm.url) });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/401/);
    expect(r.stderr).not.toContain("test-key-not-secret");
  });
});

describe("kavilo agent -m: loop limits and sessions", () => {
  it("stops at maxToolIterations with a clear final message", async () => {
    const llm = await fake("openai", {
      respond: (_req, i) => ({ toolCalls: [{ id: `c${i}`, name: "list_directory", args: { path: "." } }] }),
    });
    const home = tempHome();
    mkdirSync(join(home, ".kavilo"), { recursive: true });
    writeFileSync(
      join(home, ".kavilo", "config.json"),
      JSON.stringify({ agents: { defaults: { maxToolIterations: 3 } } }),
    );
    const r = await runCli(["agent", "-m", "loop forever", "-q"], { env: envFor("openai", home, llm.url) });
    expect(r.code).toBe(0);
    expect(llm.requests).toHaveLength(3);
    expect(r.stdout).toMatch(/stopped after 3 tool steps/);
  });

  it("a torn last line in the session file is skipped with a warning; the rest is kept", async () => {
    const llm = await fake("openai", { steps: [{ text: "ok" }] });
    const home = tempHome();
    const sessions = join(home, ".kavilo", "workspace", "sessions");
    mkdirSync(sessions, { recursive: true });
    const env = envFor("openai", home, llm.url);
    await runCli(["agent", "-m", "first message", "-q"], { env });
    const name = readdirSync(sessions).find((f) => f.endsWith(".jsonl"))!;
    const path = join(sessions, name);
    writeFileSync(path, `${readFileSync(path, "utf8")}{"type":"message","at":"2026`);
    const r = await runCli(["agent", "-m", "second message"], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/torn last line/);
    const body = JSON.stringify(llm.requests[1]!.body);
    expect(body).toContain("first message");
    expect(body).toContain("second message");
    // the torn fragment stays on its own line and the new turn is readable after it
    const lines = readFileSync(path, "utf8").split("\n").filter(Boolean);
    expect(lines.filter((l) => l.includes("second message"))).toHaveLength(1);
    expect(existsSync(path)).toBe(true);
  });
});

describe("kavilo agent -m: provider auto-resolution", () => {
  it("with no key and a local Ollama running, answers through Ollama", async () => {
    const ollama = await fake("openai", { ollama: true, steps: [{ text: "hello from the local model" }] });
    const home = tempHome();
    // No provider env at all; OLLAMA_HOST points at the fake, as it would at a real `ollama serve`.
    const env = cleanEnv(home, { OLLAMA_HOST: ollama.origin });
    const r = await runCli(["agent", "-m", "hello"], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("hello from the local model");
    const chat = ollama.requests.find((q) => q.path.endsWith("/chat/completions"));
    if (!chat) throw new Error("no chat request reached the fake Ollama");
    expect((chat.body as { model: string }).model).toBe("llama3.2");
    expect(chat.headers.authorization).toBeUndefined();
    const status = await runCli(["status", "--json"], { env });
    expect(JSON.parse(status.stdout).provider).toMatchObject({ name: "ollama", model: "llama3.2" });
  });

  it("with a provider key in the environment, answers through that provider", async () => {
    const llm = await fake("openai", { steps: [{ text: "hello from openai" }] });
    const home = tempHome();
    mkdirSync(join(home, ".kavilo"), { recursive: true });
    // The key comes from the environment; only the base URL is pointed at the fake.
    writeFileSync(
      join(home, ".kavilo", "config.json"),
      JSON.stringify({ providers: { openai: { apiBase: llm.url } } }),
    );
    const r = await runCli(["agent", "-m", "hello"], {
      env: cleanEnv(home, { OPENAI_API_KEY: "sk-from-env-123456789" }),
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("hello from openai");
    expect(llm.requests[0]!.headers.authorization).toBe("Bearer sk-from-env-123456789");
    expect((llm.requests[0]!.body as { model: string }).model).toBe("gpt-5-mini");
  });
});

describe("kavilo agent -m: env routing and provider errors", () => {
  it("--model picks the provider exactly as KAVILO_MODEL does", async () => {
    const llm = await fake("openai", { steps: [{ text: "one" }, { text: "two" }] });
    const base = { OPENAI_API_KEY: "k-openai-123456", KAVILO_API_BASE: llm.url };
    const viaFlag = await runCli(["agent", "-m", "hi", "--model", "openai/gpt-x"], {
      env: cleanEnv(tempHome(), base),
    });
    const viaEnv = await runCli(["agent", "-m", "hi"], {
      env: cleanEnv(tempHome(), { ...base, KAVILO_MODEL: "openai/gpt-x" }),
    });
    expect([viaFlag.code, viaEnv.code]).toEqual([0, 0]);
    for (const req of llm.requests) {
      expect((req.body as { model: string }).model).toBe("gpt-x");
      expect(req.headers.authorization).toBe("Bearer k-openai-123456");
    }
    expect(llm.requests).toHaveLength(2);
  });

  it("KAVILO_PROVIDER=openai with a keyless KAVILO_API_BASE sends no credential", async () => {
    const llm = await fake("openai", { steps: [{ text: "keyless ok" }] });
    const env = cleanEnv(tempHome(), { KAVILO_PROVIDER: "openai", KAVILO_API_BASE: llm.url });
    const r = await runCli(["agent", "-m", "hi"], { env });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("keyless ok");
    expect(llm.requests[0]!.headers.authorization).toBeUndefined();
  });

  it("a Claude model with only an OpenAI key is a config error naming the Anthropic key", async () => {
    const env = cleanEnv(tempHome(), { OPENAI_API_KEY: "sk-x", KAVILO_MODEL: "claude-sonnet-4-6" });
    const r = await runCli(["agent", "-m", "hi"], { env });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(
      'model "claude-sonnet-4-6" is an anthropic model, but no Anthropic key is set',
    );
  });

  it("an unknown KAVILO_PROVIDER is named as such", async () => {
    const r = await runCli(["agent", "-m", "hi"], { env: cleanEnv(tempHome(), { KAVILO_PROVIDER: "foo" }) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown provider "foo" in KAVILO_PROVIDER');
  });

  it("a 429 asking for longer than kavilo waits fails at once, saying how long", async () => {
    const llm = await fake("openai", { steps: [{ fault: { status: 429, retryAfter: 120 } }] });
    const r = await runCli(["agent", "-m", "hi"], { env: envFor("openai", tempHome(), llm.url) });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(
      "rate limited: the server asks to retry after 120 s (kavilo waits at most 60 s)",
    );
    expect(llm.requests).toHaveLength(1);
  });

  it("KAVILO_PROVIDER=ollama without a model names the models the server has", async () => {
    const ollama = await fake("openai", { ollama: true });
    const env = cleanEnv(tempHome(), { KAVILO_PROVIDER: "ollama", KAVILO_API_BASE: `${ollama.origin}/v1` });
    const r = await runCli(["agent", "-m", "hi"], { env });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("set a model: kavilo config set agents.defaults.model <name>");
    expect(r.stderr).toContain("(ollama has: llama3.2)");
  });
});
