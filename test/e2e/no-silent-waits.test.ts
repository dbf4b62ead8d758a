import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeLlm, startFakeOpenAI } from "../fakes/openai-server.js";
import { startFakeTelegram } from "../fakes/telegram-server.js";
import { BIN, cleanEnv, openaiEnv, ROOT, runCli, tempHome } from "../helpers/cli.js";
import { killAll, llmEnv, startKavilo, writeConfig } from "./start-harness.js";

// No silent waits: agent -m prints one stderr line per provider retry, and names an MCP server
// still starting after 2 s.
let llm: FakeLlm;
beforeAll(async () => {
  llm = await startFakeOpenAI({
    respond: (_req, i) => (i < 2 ? { fault: { status: 503 } } : { text: "finally" }),
  });
});
afterAll(async () => {
  killAll();
  await llm?.close();
});

describe("agent -m while a provider call is retried", () => {
  it("prints one status line per retry on stderr, then the answer", async () => {
    const env = openaiEnv(tempHome(), llm.url, {
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

describe("agent -m while an MCP server is slow to start", () => {
  it("names the server it waits for after 2 s", async () => {
    const home = tempHome();
    const server = join(ROOT, "test/fakes/flaky-stdio-server.mjs");
    writeConfig(home, {
      tools: {
        mcpServers: {
          slowpoke: { command: "/bin/sh", args: ["-c", `sleep 3; exec '${process.execPath}' '${server}'`] },
        },
      },
    });
    const env = openaiEnv(home, llm.url);
    const r = await runCli(["agent", "-m", "hi"], { env, input: "", timeoutMs: 20_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("kavilo: waiting for MCP server slowpoke to start…");
    // the model was offered the server's tools once it was up
    const tools =
      ((llm.requests.at(-1)?.body ?? {}) as { tools?: { function: { name: string } }[] }).tools ?? [];
    expect(tools.map((t) => t.function.name)).toContain("mcp_slowpoke_ping");
  }, 25_000);
});

describe("kavilo start while an MCP server is slow to start", () => {
  it("logs which server the first turn waits for after 2 s, then answers", async () => {
    const server = join(ROOT, "test/fakes/flaky-stdio-server.mjs");
    const tg = await startFakeTelegram();
    try {
      const kavilo = await startKavilo({
        config: {
          channels: { telegram: { enabled: true, token: tg.token, allowFrom: ["1"], apiRoot: tg.apiRoot } },
          tools: {
            mcpServers: {
              slowpoke: {
                command: "/bin/sh",
                args: ["-c", `sleep 3; exec '${process.execPath}' '${server}'`],
              },
            },
          },
        },
        env: (home) => llmEnv(home, llm.url),
      });
      await kavilo.waitForStderr(/telegram: connected as/);
      const sentBefore = tg.sent().length;
      tg.sendText({ chatId: 1, from: 1, text: "hi" });
      await kavilo.waitForStderr(/waiting for MCP server slowpoke to start/, 10_000);
      await tg.waitFor(() => tg.sent().length > sentBefore, 15_000);
      await kavilo.stop();
    } finally {
      await tg.close();
    }
  }, 30_000);
});

describe("status with a slow MCP server", () => {
  it("prints the rows above the MCP servers before the server has answered", async () => {
    const home = tempHome();
    const server = join(ROOT, "test/fakes/flaky-stdio-server.mjs");
    writeConfig(home, {
      tools: {
        mcpServers: {
          slowpoke: { command: "/bin/sh", args: ["-c", `sleep 3; exec '${process.execPath}' '${server}'`] },
        },
      },
    });
    const started = Date.now();
    const child = spawn(process.execPath, [BIN, "status"], { env: cleanEnv(home), cwd: home });
    let stdout = "";
    let channelsAt = 0;
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      if (!channelsAt && /^channels /m.test(stdout)) channelsAt = Date.now();
    });
    const code = await new Promise((resolve) => child.on("close", resolve));
    const endedAt = Date.now();
    expect(code).toBe(0);
    expect(stdout).toMatch(/^mcp {10}slowpoke \(stdio\): connected, 2 tools$/m);
    // the early rows came well before the server was up (it sleeps 3 s)
    expect(channelsAt - started).toBeLessThan(2_500);
    expect(endedAt - channelsAt).toBeGreaterThan(1_000);
    // each row once
    expect(stdout.match(/^version /gm)).toHaveLength(1);
  }, 20_000);
});
