import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTelegramChannel } from "../../src/channels/telegram/telegram-channel.js";
import type { SendPolicy } from "../../src/channels/telegram/telegram-send.js";
import { makePaths, type Paths } from "../../src/core/base/paths.js";
import type { Channel, InboundMessage } from "../../src/core/bus/types.js";
import type { TelegramConfig } from "../../src/core/config/schema.js";
import { type FakeTelegram, startFakeTelegram } from "../fakes/telegram-server.js";

const ALICE = { id: 1001, username: "alice", first_name: "Alice" };
const MALLORY = { id: 6666, username: "mallory", first_name: "Mallory" };

let fake: FakeTelegram;
let home: string;
let paths: Paths;
let channel: Channel | undefined;
let inbound: InboundMessage[];
let logs: string[];

beforeEach(async () => {
  fake = await startFakeTelegram({ botUsername: "kavilo_bot" });
  home = await mkdtemp(join(tmpdir(), "kavilo-tg-"));
  paths = makePaths(home);
  inbound = [];
  logs = [];
});

afterEach(async () => {
  await channel?.stop();
  channel = undefined;
  await fake.close();
  await rm(home, { recursive: true, force: true });
});

async function start(
  overrides: Partial<TelegramConfig> = {},
  sendPolicy: SendPolicy = { retries: 3, baseMs: 20, timeoutMs: 2000 },
): Promise<Channel> {
  const config: TelegramConfig = {
    enabled: true,
    token: fake.token,
    allowFrom: ["alice"],
    groupPolicy: "mention",
    apiRoot: fake.apiRoot,
    ...overrides,
  };
  channel = createTelegramChannel({
    config,
    paths,
    log: (level, msg) => logs.push(`${level} ${msg}`),
    retry: { baseMs: 20, maxMs: 100 },
    pollTimeoutS: 1,
    typingEveryMs: 40,
    sendPolicy,
  });
  await channel.start({ publish: (m) => inbound.push(m) });
  return channel;
}

describe("telegram channel (grammy against a fake Bot API)", () => {
  it("publishes a DM with the chat's session key", async () => {
    await start();
    fake.sendText({ chatId: 1001, from: ALICE, text: "hello there" });
    await fake.waitFor(() => inbound.length === 1);
    expect(inbound[0]).toMatchObject({
      channel: "telegram",
      chatId: "1001",
      senderId: "1001",
      senderName: "alice",
      text: "hello there",
      sessionKey: "telegram:1001",
    });
    expect(fake.calls.some((c) => c.method === "deleteWebhook")).toBe(true);
  });

  it("ignores and logs an unauthorized sender without replying", async () => {
    await start();
    fake.sendText({ chatId: 6666, from: MALLORY, text: "let me in" });
    fake.sendText({ chatId: 1001, from: ALICE, text: "after" });
    await fake.waitFor(() => inbound.length === 1);
    expect(inbound.map((m) => m.text)).toEqual(["after"]);
    expect(logs.some((l) => l.includes("6666") && l.startsWith("warn"))).toBe(true);
    expect(fake.sent()).toHaveLength(0);
  });

  it("in groups answers only mentions and replies to the bot, with the mention stripped", async () => {
    const ch = await start({ allowFrom: ["*"] });
    fake.sendText({ chatId: -500, chatType: "supergroup", from: ALICE, text: "just chatting" });
    fake.sendText({
      chatId: -500,
      chatType: "supergroup",
      from: ALICE,
      text: "@kavilo_bot what time is it?",
    });
    await fake.waitFor(() => inbound.length === 1);
    expect(inbound[0]).toMatchObject({
      text: "what time is it?",
      chatId: "-500",
      sessionKey: "telegram:-500",
    });
    await ch.send({ channel: "telegram", chatId: "-500", text: "noon" });
    const botMessageId = fake.sentIds()[0] as number;
    fake.sendText({
      chatId: -500,
      chatType: "supergroup",
      from: ALICE,
      text: "thanks!",
      replyTo: botMessageId,
    });
    await fake.waitFor(() => inbound.length === 2);
    expect(inbound[1]?.text).toBe("thanks!");
  });

  it("keys forum topics by thread and replies into the topic", async () => {
    const ch = await start({ groupPolicy: "open", allowFrom: ["1001"] });
    fake.sendText({
      chatId: -42,
      chatType: "supergroup",
      from: ALICE,
      text: "in a topic",
      messageThreadId: 9,
    });
    await fake.waitFor(() => inbound.length === 1);
    expect(inbound[0]).toMatchObject({ sessionKey: "telegram:-42:9", threadId: "9" });
    await ch.send({
      channel: "telegram",
      chatId: "-42",
      threadId: "9",
      text: "ok",
      replyTo: inbound[0]?.messageId,
    });
    expect(fake.sent()[0]).toMatchObject({
      message_thread_id: 9,
      reply_parameters: { message_id: Number(inbound[0]?.messageId) },
    });
  });

  it("sets commands for /new, /stop and /new@botname", async () => {
    await start();
    fake.sendText({ chatId: 1001, from: ALICE, text: "/new" });
    fake.sendText({ chatId: 1001, from: ALICE, text: "/stop" });
    fake.sendText({ chatId: 1001, from: ALICE, text: "/new@kavilo_bot" });
    fake.sendText({ chatId: 1001, from: ALICE, text: "/help" });
    await fake.waitFor(() => inbound.length === 4);
    expect(inbound.map((m) => m.command)).toEqual(["new", "stop", "new", "help"]);
  });

  it("splits a long reply in order, under 4096 chars, keeping the code block whole", async () => {
    const ch = await start();
    const code = [
      "```python",
      ...Array.from({ length: 60 }, (_, i) => `print("line ${i} <tag> & more")`),
      "```",
    ].join("\n");
    const paras = Array.from({ length: 40 }, (_, i) => `Paragraph ${i} ${"word ".repeat(40)}`);
    const text = [...paras.slice(0, 20), code, ...paras.slice(20)].join("\n\n");
    expect(text.length).toBeGreaterThan(10_000);
    await ch.send({ channel: "telegram", chatId: "1001", text });
    const sent = fake.sent().map((p) => String(p.text));
    expect(sent.length).toBeGreaterThanOrEqual(3);
    for (const s of sent) expect(s.length).toBeLessThan(4096);
    const withCode = sent.filter((s) => s.includes("<pre>"));
    expect(withCode).toHaveLength(1);
    expect(withCode[0]).toContain('<code class="language-python">');
    expect(withCode[0]).toContain("line 0 &lt;tag&gt; &amp; more");
    expect(withCode[0]).toContain("line 59 &lt;tag&gt;");
    const order = sent
      .join("\n")
      .match(/Paragraph \d+/g)
      ?.map((p) => Number(p.split(" ")[1]));
    expect(order).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(fake.sent().every((p) => p.parse_mode === "HTML")).toBe(true);
  });

  it("resends a chunk as plain text when Telegram rejects its entities", async () => {
    const ch = await start();
    fake.rejectEntitiesMarker = "BROKEN";
    await ch.send({ channel: "telegram", chatId: "1001", text: "**BROKEN** markup" });
    const sendCalls = fake.sent();
    expect(sendCalls).toHaveLength(2);
    expect(sendCalls[0]?.parse_mode).toBe("HTML");
    expect(sendCalls[1]?.parse_mode).toBeUndefined();
    expect(sendCalls[1]?.text).toBe("**BROKEN** markup");
    expect(logs.some((l) => l.includes("plain text"))).toBe(true);
  });

  it("retries a reply whose request died on the network, so it still arrives", async () => {
    const ch = await start();
    fake.dropRequests("sendMessage", 2);
    await ch.send({ channel: "telegram", chatId: "1001", text: "you will get this" });
    expect(fake.sentIds()).toHaveLength(1);
    expect(fake.sent()).toHaveLength(3);
    expect(logs.filter((l) => l.includes("sending failed"))).toHaveLength(2);
    expect(logs.join("\n")).not.toContain(fake.token);
  });

  it("times out a send that hangs and gives up after the retries, with one clear error", async () => {
    const ch = await start({}, { retries: 1, baseMs: 10, timeoutMs: 150 });
    fake.hangRequests("sendMessage");
    const t0 = Date.now();
    await expect(ch.send({ channel: "telegram", chatId: "1001", text: "lost" })).rejects.toThrow(
      /telegram: sending to chat 1001 failed/,
    );
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(fake.sent()).toHaveLength(2);
  });

  it("downloads the largest photo into media/ and attaches it with the caption as text", async () => {
    await start();
    const bytes = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 9, 8, 7, 6, 5]);
    fake.sendPhoto({ chatId: 1001, from: ALICE, caption: "what is this?", data: bytes });
    await fake.waitFor(() => inbound.length === 1);
    const msg = inbound[0] as InboundMessage;
    expect(msg.text).toBe("what is this?");
    expect(msg.media).toHaveLength(1);
    expect(msg.media?.[0]).toMatchObject({ kind: "image", mediaType: "image/jpeg" });
    const path = msg.media?.[0]?.path ?? "";
    expect(path.startsWith(paths.media)).toBe(true);
    expect(new Uint8Array(await readFile(path))).toEqual(bytes);
  });

  it("skips a file over the size cap without downloading it and tells the agent, caption or not", async () => {
    await start();
    const huge = { from: ALICE, chatId: 1001, reportedSize: 25 * 1024 * 1024 };
    fake.sendDocument({ ...huge, fileName: "movie.mp4", mimeType: "video/mp4" });
    fake.sendPhoto({ ...huge, caption: "look at this" });
    await fake.waitFor(() => inbound.length === 2);
    const note = (name: string) => `[file ${name} (25 MB) was not downloaded: larger than the 20 MB limit]`;
    expect(inbound.map((m) => m.text)).toEqual([note("movie.mp4"), `look at this\n${note("photo.jpg")}`]);
    expect(inbound.every((m) => m.media === undefined)).toBe(true);
    expect(fake.calls.filter((c) => c.method === "getFile")).toEqual([]);
  });

  it("shows typing, renewed until stopped", async () => {
    const ch = await start();
    fake.sendText({ chatId: 1001, from: ALICE, text: "think hard" });
    await fake.waitFor(() => inbound.length === 1);
    const stopTyping = ch.showWorking?.(inbound[0] as InboundMessage);
    const actions = () => fake.calls.filter((c) => c.method === "sendChatAction");
    await fake.waitFor(() => actions().length >= 3);
    stopTyping?.();
    const count = actions().length;
    await new Promise((r) => setTimeout(r, 150));
    expect(actions().length).toBeLessThanOrEqual(count + 1);
    expect(actions()[0]?.params).toMatchObject({ chat_id: "1001", action: "typing" });
  });

  it("keeps polling after network failures, backing off, without leaking the token", async () => {
    await start();
    fake.dropRequests("getUpdates", 3);
    fake.sendText({ chatId: 1001, from: ALICE, text: "still there?" });
    await fake.waitFor(() => inbound.length === 1, 8000);
    expect(inbound[0]?.text).toBe("still there?");
    await fake.waitFor(() => logs.some((l) => l.includes("polling failed")));
    expect(logs.join("\n")).not.toContain(fake.token);
    expect(logs.join("\n")).not.toContain(fake.token.split(":")[1]);
  });

  it("rejects a bad token at start with one clear error", async () => {
    await expect(start({ token: "999:wrong-token-xyz" })).rejects.toThrow(/token was rejected \(401/);
    channel = undefined;
  });
});
