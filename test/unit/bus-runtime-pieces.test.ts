import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createChannelRouter } from "../../src/cli/compose/channel-router.js";
import { superviseChannel } from "../../src/cli/compose/channel-supervisor.js";
import { createLogger, secretValuesOf } from "../../src/core/base/logger.js";
import { openRotatingFile } from "../../src/core/base/rotating-file.js";
import type { Channel, OutboundMessage } from "../../src/core/bus/types.js";
import { createMessageTool } from "../../src/core/tools/message.js";
import { createSpawnTool, type SpawnRequest } from "../../src/core/tools/spawn.js";
import type { ToolContext } from "../../src/core/tools/types.js";

const quiet = createLogger({ stderr: () => {} });
const until = async (cond: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
};

function flakyChannel(name: string, failures: number) {
  const starts: number[] = [];
  const channel: Channel = {
    name,
    async start() {
      starts.push(Date.now());
      if (starts.length <= failures) throw new Error(`${name} refused`);
    },
    async stop() {},
    async send() {},
  };
  return { channel, starts };
}

const ctx = (origin?: ToolContext["origin"], sessionKey = "telegram:1"): ToolContext => ({
  workspace: "/tmp",
  restrictToWorkspace: true,
  signal: new AbortController().signal,
  sessionKey,
  ...(origin ? { origin } : {}),
});

describe("channel supervisor", () => {
  it("retries a failing start with growing delays without blocking another channel", async () => {
    const bad = flakyChannel("bad", 3);
    const good = flakyChannel("good", 0);
    const sink = { publish() {} };
    const a = superviseChannel(bad.channel, { baseMs: 20, maxMs: 1000 }, quiet);
    const b = superviseChannel(good.channel, { baseMs: 20, maxMs: 1000 }, quiet);
    a.start(sink);
    b.start(sink);
    await until(() => b.connected);
    expect(a.connected).toBe(false);
    await until(() => a.connected);
    expect(bad.starts).toHaveLength(4);
    const gaps = bad.starts.slice(1).map((t, i) => t - bad.starts[i]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(15);
    expect(gaps[2]).toBeGreaterThan(gaps[0]! + 20); // 20 → 40 → 80 ms
    await Promise.all([a.stop(), b.stop()]);
  });

  it("stop() ends the retry loop", async () => {
    const never = flakyChannel("never", 1000);
    const s = superviseChannel(never.channel, { baseMs: 10, maxMs: 10 }, quiet);
    s.start({ publish() {} });
    await until(() => never.starts.length >= 2);
    await s.stop();
    const count = never.starts.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(never.starts).toHaveLength(count);
  });

  it("the router names the channels it has when asked for one it has not", async () => {
    const router = createChannelRouter([
      superviseChannel(flakyChannel("telegram", 0).channel, { baseMs: 1, maxMs: 1 }, quiet),
    ]);
    await expect(router.send({ channel: "slack", chatId: "C1", text: "x" })).rejects.toThrow(
      /"slack" is not configured.*available: telegram/,
    );
  });
});

describe("message tool", () => {
  it("sends to the current chat by default and to another chat when told", async () => {
    const sent: OutboundMessage[] = [];
    const tool = createMessageTool({ send: async (m) => void sent.push(m) });
    await tool.run({ text: "progress" }, ctx({ channel: "slack", chatId: "C1", threadId: "9.1" }));
    await tool.run(
      { text: "fyi", channel: "telegram", chat_id: "42" },
      ctx({ channel: "slack", chatId: "C1" }),
    );
    expect(sent).toEqual([
      { channel: "slack", chatId: "C1", threadId: "9.1", text: "progress" },
      { channel: "telegram", chatId: "42", text: "fyi" },
    ]);
  });

  it("gives the model a clear error when the channel is missing or unknown", async () => {
    const tool = createMessageTool({
      send: async (m) => {
        throw new Error(`channel "${m.channel}" is not configured`);
      },
    });
    await expect(tool.run({ text: "x" }, ctx())).rejects.toThrow(/not in a chat channel/);
    await expect(tool.run({ text: "x", channel: "slack", chat_id: "C" }, ctx())).rejects.toThrow(
      /"slack" is not configured/,
    );
  });
});

describe("spawn tool", () => {
  it("returns at once and announces the sub-agent's answer in the chat that started it", async () => {
    let finish!: (s: string) => void;
    const runs: SpawnRequest[] = [];
    const delivered: string[] = [];
    const tool = createSpawnTool({
      run: (req) => {
        runs.push(req);
        return new Promise((r) => (finish = r));
      },
      deliver: async (to, text) => void delivered.push(`${to.channel}:${to.chatId} ${text}`),
      newId: () => "abc123",
      maxToolSteps: 5,
    });
    const out = await tool.run({ task: "research X", label: "X" }, ctx({ channel: "telegram", chatId: "7" }));
    expect(out).toContain("abc123");
    expect(runs[0]).toMatchObject({ sessionKey: "spawn:abc123", task: "research X", maxToolSteps: 5 });
    expect(delivered).toEqual([]);
    finish("X is fine");
    await until(() => delivered.length === 1);
    expect(delivered[0]).toBe('telegram:7 Sub-agent "X" (abc123) finished:\n\nX is fine');
  });

  it("refuses to spawn from a sub-agent and past the running limit", async () => {
    const tool = createSpawnTool({
      run: () => new Promise(() => {}),
      deliver: async () => {},
      maxRunning: 1,
    });
    await expect(tool.run({ task: "t" }, ctx(undefined, "spawn:1"))).rejects.toThrow(
      /cannot start sub-agents/,
    );
    await tool.run({ task: "t" }, ctx());
    await expect(tool.run({ task: "t2" }, ctx())).rejects.toThrow(/already running/);
  });
});

describe("log file", () => {
  it("rotates by size and keeps the configured number of old files", () => {
    const dir = mkdtempSync(join(tmpdir(), "kavilo-log-"));
    const path = join(dir, "kavilo.log");
    const file = openRotatingFile(path, { maxBytes: 100, keep: 2 });
    for (let i = 0; i < 10; i++) file.write(`${String(i).padStart(2, "0")}${"x".repeat(37)}\n`); // 40 bytes
    file.close();
    expect(readFileSync(path, "utf8").split("\n")[0]).toMatch(/^08/);
    expect(readFileSync(`${path}.1`, "utf8").split("\n")[0]).toMatch(/^06/);
    expect(existsSync(`${path}.2`)).toBe(true);
    expect(existsSync(`${path}.3`)).toBe(false);
  });

  it("drops lines written after close instead of writing to a reused descriptor", () => {
    const dir = mkdtempSync(join(tmpdir(), "kavilo-log-"));
    const path = join(dir, "kavilo.log");
    const file = openRotatingFile(path);
    file.write("before\n");
    file.close();
    const other = join(dir, "other.txt");
    writeFileSync(other, "");
    const fd = openSync(other, "a"); // likely the same descriptor number
    expect(() => file.write("after\n")).not.toThrow();
    closeSync(fd);
    expect(readFileSync(path, "utf8")).toBe("before\n");
    expect(readFileSync(other, "utf8")).toBe("");
  });

  it("writes pino JSON lines and human stderr lines with secrets masked", () => {
    const dir = mkdtempSync(join(tmpdir(), "kavilo-log-"));
    const file = join(dir, "logs", "kavilo.log");
    const err: string[] = [];
    const secrets = secretValuesOf({
      channels: { telegram: { token: "plain-bot-secret-1" } },
      providers: { x: { apiKey: "k-123456" } },
    });
    expect(secrets).toEqual(["plain-bot-secret-1", "k-123456"]);
    const log = createLogger({ file, secrets, stderr: (l) => err.push(l) });
    log.info("token plain-bot-secret-1 and key sk-abcdefghijklmnop", {
      header: "Bearer abcdefghijkl",
      apiKey: "k-123456",
    });
    log.debug("hidden without --debug");
    log.close();
    const text = readFileSync(file, "utf8");
    const line = JSON.parse(text.trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: "info", msg: "token [REDACTED] and key [REDACTED]" });
    expect(text).not.toMatch(/plain-bot-secret-1|k-123456|abcdefghijkl/);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^\[\d\d:\d\d:\d\d\] token \[REDACTED\]/);
  });
});
