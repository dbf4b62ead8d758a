import type { PassThrough } from "node:stream";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeLlm, startFakeOpenAI } from "../fakes/openai-server.js";
import { type FakeTelegram, startFakeTelegram } from "../fakes/telegram-server.js";
import { BIN } from "../helpers/cli.js";
import { killAll, llmEnv, type RunningKavilo, startKavilo } from "./start-harness.js";

const ALICE = 1001;

let llm: FakeLlm;
let tg: FakeTelegram;
let kavilo: RunningKavilo;
let client: Client;
const serverStderr: string[] = [];

async function call(args: Record<string, unknown>) {
  const result = await client.callTool({ name: "send_channel_message", arguments: args });
  const text = (result.content as Array<{ text: string }>).map((p) => p.text).join("");
  return { text, isError: result.isError === true };
}

beforeAll(async () => {
  llm = await startFakeOpenAI({ respond: () => ({ text: "ok" }) });
  tg = await startFakeTelegram();
  kavilo = await startKavilo({
    config: {
      channels: {
        telegram: { enabled: true, token: tg.token, allowFrom: [String(ALICE)], apiRoot: tg.apiRoot },
      },
    },
    env: (home) => llmEnv(home, llm.url),
    ready: /telegram: connected as @kavilo_bot/,
  });
  // An editor's `kavilo mcp serve self`: a separate process on the same profile.
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, "mcp", "serve", "self"],
    env: llmEnv(kavilo.home, llm.url) as Record<string, string>,
    cwd: kavilo.home,
    stderr: "pipe",
  });
  (transport.stderr as PassThrough | null)?.on("data", (d: Buffer) => serverStderr.push(d.toString()));
  client = new Client({ name: "e2e-send", version: "1" });
  await client.connect(transport);
}, 30_000);

afterAll(async () => {
  await client?.close();
  killAll();
  await tg?.close();
  await llm?.close();
});

describe("send_channel_message from `kavilo mcp serve self`, sent by the running `kavilo start`", () => {
  it("reaches Telegram through the running channel (a numeric chat id, as clients send it)", async () => {
    const r = await call({ channel: "telegram", chatId: ALICE, text: "hello from the editor" });
    expect(r).toEqual({
      isError: false,
      text: JSON.stringify({ sent: true, channel: "telegram", chatId: String(ALICE) }, null, 2),
    });
    const texts = tg
      .sent()
      .filter((p) => Number(p.chat_id) === ALICE)
      .map((p) => String(p.text));
    expect(texts).toEqual(["hello from the editor"]);
    expect(kavilo.stderr()).toMatch(/outbox: sent a message to telegram:1001/);
  });

  it("a channel that is not configured is named", async () => {
    const r = await call({ channel: "slack", chatId: "C1", text: "x" });
    expect(r).toEqual({
      isError: true,
      text: "channel slack is not configured: set channels.slack.enabled and its tokens in config.json",
    });
  });

  it("once kavilo start has stopped, says it is not running", async () => {
    expect(await kavilo.stop()).toBe(0);
    const before = tg.sent().length;
    const r = await call({ channel: "telegram", chatId: String(ALICE), text: "too late" });
    expect(r).toEqual({
      isError: true,
      text: "kavilo start is not running for this profile; start it to send messages",
    });
    expect(tg.sent()).toHaveLength(before);
    expect(serverStderr.join("")).not.toContain(tg.token);
  });
});
