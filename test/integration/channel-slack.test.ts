import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSlackChannel } from "../../src/channels/slack/slack-channel.js";
import { makePaths, type Paths } from "../../src/core/base/paths.js";
import type { Channel, InboundMessage } from "../../src/core/bus/types.js";
import type { SlackConfig } from "../../src/core/config/schema.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack-server.js";

let fake: FakeSlack;
let home: string;
let paths: Paths;
let channel: Channel | undefined;
let inbound: InboundMessage[];
let logs: string[];
let tsSeq = 0;

beforeEach(async () => {
  fake = await startFakeSlack();
  home = await mkdtemp(join(tmpdir(), "kavilo-slack-"));
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

async function start(overrides: Partial<SlackConfig> = {}, requestTimeoutMs = 2000): Promise<Channel> {
  const config: SlackConfig = {
    enabled: true,
    botToken: fake.botToken,
    appToken: fake.appToken,
    groupPolicy: "mention",
    groupAllowFrom: [],
    allowFrom: ["U_ALICE"],
    replyInThread: true,
    allowBots: false,
    apiUrl: fake.apiUrl,
    ...overrides,
  };
  channel = createSlackChannel({
    config,
    paths,
    log: (level, msg) => logs.push(`${level} ${msg}`),
    retry: { baseMs: 20, maxMs: 100 },
    clientPingTimeoutMs: 300,
    requestTimeoutMs,
  });
  await channel.start({ publish: (m) => inbound.push(m) });
  return channel;
}

const ts = () => `1700000000.${String(++tsSeq).padStart(6, "0")}`;

function mention(text: string, extra: Record<string, unknown> = {}) {
  return {
    type: "app_mention",
    user: "U_ALICE",
    channel: "C_GENERAL",
    text: `<@${fake.botUserId}> ${text}`,
    ts: ts(),
    ...extra,
  };
}

describe("slack channel (Socket Mode SDK against a fake Slack)", () => {
  it("acks an app_mention, publishes it with a thread session key, reacts and replies in the thread", async () => {
    const ch = await start();
    expect(fake.connections).toBe(1);
    const event = mention("summarize this");
    const envelope = fake.pushEvent(event);
    await fake.waitFor(() => inbound.length === 1);
    expect(fake.acks).toContain(envelope);
    const msg = inbound[0] as InboundMessage;
    expect(msg).toMatchObject({
      channel: "slack",
      chatId: "C_GENERAL",
      senderId: "U_ALICE",
      senderName: "user-U_ALICE",
      text: "summarize this",
      threadId: event.ts,
      messageId: event.ts,
      sessionKey: `slack:C_GENERAL:${event.ts}`,
    });
    ch.showWorking?.(msg);
    await fake.waitFor(() => fake.calls.some((c) => c.method === "reactions.add"));
    expect(fake.calls.find((c) => c.method === "reactions.add")?.params).toMatchObject({
      channel: "C_GENERAL",
      timestamp: event.ts,
      name: "eyes",
    });
    await ch.send({
      channel: "slack",
      chatId: msg.chatId,
      threadId: msg.threadId,
      text: "**Done**: see [docs](https://x.dev)",
    });
    expect(fake.posted()).toEqual([
      expect.objectContaining({
        channel: "C_GENERAL",
        thread_ts: event.ts,
        text: "*Done*: see <https://x.dev|docs>",
      }),
    ]);
    expect(fake.calls.find((c) => c.method === "chat.postMessage")?.token).toBe(fake.botToken);
  });

  it("publishes a DM, deduplicated when it also arrives as a message event", async () => {
    await start();
    const t = ts();
    fake.pushEvent({
      type: "message",
      channel_type: "im",
      channel: "D_ALICE",
      user: "U_ALICE",
      text: "hi in dm",
      ts: t,
    });
    fake.pushEvent({
      type: "message",
      channel_type: "im",
      channel: "D_ALICE",
      user: "U_ALICE",
      text: "hi in dm",
      ts: t,
    });
    fake.pushEvent({
      type: "message",
      channel_type: "im",
      channel: "D_ALICE",
      user: "U_ALICE",
      text: "second",
      ts: ts(),
    });
    await fake.waitFor(() => inbound.length === 2);
    expect(inbound.map((m) => m.text)).toEqual(["hi in dm", "second"]);
    // A DM is one conversation: one session, answered in the DM itself, not in a thread.
    expect(inbound.map((m) => m.sessionKey)).toEqual(["slack:D_ALICE", "slack:D_ALICE"]);
    expect(inbound[0]?.threadId).toBeUndefined();
    expect(fake.acks).toHaveLength(3);
  });

  it("dedupes a channel message delivered both as app_mention and message", async () => {
    await start();
    const event = mention("once please");
    fake.pushEvent({ ...event, type: "message", channel_type: "channel" });
    fake.pushEvent(event);
    fake.pushEvent(mention("marker"));
    await fake.waitFor(() => inbound.some((m) => m.text === "marker"));
    expect(inbound.map((m) => m.text)).toEqual(["once please", "marker"]);
  });

  it("ignores its own messages, other bots, edits and unaddressed channel chatter", async () => {
    await start();
    fake.pushEvent({
      type: "message",
      channel_type: "im",
      channel: "D_ALICE",
      user: fake.botUserId,
      bot_id: fake.botId,
      text: "my own reply",
      ts: ts(),
    });
    fake.pushEvent({
      type: "message",
      subtype: "bot_message",
      channel_type: "channel",
      channel: "C_GENERAL",
      bot_id: "B_OTHER",
      text: `<@${fake.botUserId}> from a bot`,
      ts: ts(),
    });
    fake.pushEvent({
      type: "message",
      channel_type: "im",
      channel: "D_ALICE",
      user: "U_ALICE",
      bot_id: "B_OTHER",
      text: "bot in dm",
      ts: ts(),
    });
    fake.pushEvent({
      type: "message",
      subtype: "message_changed",
      channel_type: "im",
      channel: "D_ALICE",
      ts: ts(),
    });
    fake.pushEvent({
      type: "message",
      channel_type: "channel",
      channel: "C_GENERAL",
      user: "U_ALICE",
      text: "no mention here",
      ts: ts(),
    });
    fake.pushEvent({
      type: "message",
      channel_type: "im",
      channel: "D_MALLORY",
      user: "U_MALLORY",
      text: "let me in",
      ts: ts(),
    });
    fake.pushEvent({
      type: "message",
      channel_type: "im",
      channel: "D_ALICE",
      user: "U_ALICE",
      text: "marker",
      ts: ts(),
    });
    await fake.waitFor(() => inbound.length >= 1);
    await fake.waitFor(() => fake.acks.length === 7);
    expect(inbound.map((m) => m.text)).toEqual(["marker"]);
    expect(logs.some((l) => l.startsWith("warn") && l.includes("U_MALLORY"))).toBe(true);
  });

  it("answers another bot when allowBots is set", async () => {
    await start({ allowFrom: ["*"], allowBots: true });
    fake.pushEvent({
      type: "message",
      subtype: "bot_message",
      channel_type: "im",
      channel: "D_X",
      bot_id: "B_OTHER",
      text: "ping from bot",
      ts: ts(),
    });
    await fake.waitFor(() => inbound.length === 1);
    expect(inbound[0]).toMatchObject({ senderId: "B_OTHER", text: "ping from bot" });
  });

  it("loses no message across a disconnect envelope and reconnect", async () => {
    await start();
    fake.pushEvent(mention("before"));
    await fake.waitFor(() => inbound.length === 1);
    fake.disconnect();
    fake.pushEvent(mention("during"));
    fake.pushEvent(mention("after"));
    await fake.waitFor(() => inbound.length === 3, 8000);
    expect(fake.connections).toBe(2);
    expect(inbound.map((m) => m.text)).toEqual(["before", "during", "after"]);
    expect(fake.calls.filter((c) => c.method === "apps.connections.open")).toHaveLength(2);
    expect(fake.calls.find((c) => c.method === "apps.connections.open")?.token).toBe(fake.appToken);
  });

  it("downloads a shared file with the bot token into media/", async () => {
    await start();
    const bytes = new TextEncoder().encode("%PDF-1.7 fake");
    const file = fake.addFile(bytes, { name: "report.pdf", mimetype: "application/pdf" });
    fake.pushEvent({
      type: "message",
      subtype: "file_share",
      channel_type: "im",
      channel: "D_ALICE",
      user: "U_ALICE",
      text: "read this",
      files: [file],
      ts: ts(),
    });
    await fake.waitFor(() => inbound.length === 1);
    const media = inbound[0]?.media?.[0];
    expect(media).toMatchObject({ kind: "document", mediaType: "application/pdf", name: "report.pdf" });
    expect(media?.path.startsWith(paths.media)).toBe(true);
    expect(new Uint8Array(await readFile(media?.path ?? ""))).toEqual(bytes);
  });

  it("skips a file over the size cap without downloading it and tells the agent, caption or not", async () => {
    await start();
    const big = fake.addFile(new Uint8Array([1, 2, 3]), {
      name: "huge.mov",
      mimetype: "video/quicktime",
      reportedSize: 25 * 1024 * 1024,
    });
    const event = (text: string) => ({
      type: "message",
      subtype: "file_share",
      channel_type: "im",
      channel: "D_ALICE",
      user: "U_ALICE",
      text,
      files: [big],
      ts: ts(),
    });
    fake.pushEvent(event(""));
    fake.pushEvent(event("watch this"));
    await fake.waitFor(() => inbound.length === 2);
    const note = "[file huge.mov (25 MB) was not downloaded: larger than the 20 MB limit]";
    expect(inbound.map((m) => m.text)).toEqual([note, `watch this\n${note}`]);
    expect(inbound.every((m) => m.media === undefined)).toBe(true);
    expect(existsSync(paths.media) ? readdirSync(paths.media) : []).toEqual([]);
  });

  it("passes ' /new' (a leading space dodges Slack's slash-command box) and '@kavilo /new' as the bare command", async () => {
    await start();
    fake.pushEvent({
      type: "message",
      channel_type: "im",
      channel: "D_ALICE",
      user: "U_ALICE",
      text: " /new",
      ts: ts(),
    });
    fake.pushEvent(mention("/new"));
    await fake.waitFor(() => inbound.length === 2);
    expect(inbound.map((m) => m.text)).toEqual(["/new", "/new"]);
  });

  it("retries a reply whose request died on the network, so it still arrives", async () => {
    const ch = await start();
    fake.dropRequests("chat.postMessage", 2);
    await ch.send({ channel: "slack", chatId: "C_GENERAL", threadId: "1700000000.000001", text: "made it" });
    expect(fake.posted().map((p) => p.text)).toEqual(["made it", "made it", "made it"]);
  });

  it("times out a post that hangs instead of waiting forever, with one clear error", async () => {
    const ch = await start({}, 150);
    fake.hangRequests("chat.postMessage");
    const t0 = Date.now();
    await expect(ch.send({ channel: "slack", chatId: "C_GENERAL", text: "stuck" })).rejects.toThrow(
      /slack: posting to C_GENERAL failed/,
    );
    // 4 tries of 150 ms plus backoff capped at 100 ms.
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(fake.posted()).toHaveLength(4);
  });

  it("splits a long reply outside code blocks, all in the thread", async () => {
    const ch = await start();
    const code = ["```js", ...Array.from({ length: 40 }, (_, i) => `const v${i} = a && b < c;`), "```"].join(
      "\n",
    );
    const paras = Array.from({ length: 30 }, (_, i) => `Part ${i} ${"text ".repeat(50)}`);
    const text = [...paras.slice(0, 15), code, ...paras.slice(15)].join("\n\n");
    await ch.send({ channel: "slack", chatId: "C_GENERAL", threadId: "1.0", text });
    const posted = fake.posted().map((p) => String(p.text));
    expect(posted.length).toBeGreaterThan(2);
    expect(fake.posted().every((p) => p.thread_ts === "1.0")).toBe(true);
    const withCode = posted.filter((p) => p.includes("```"));
    expect(withCode).toHaveLength(1);
    expect(withCode[0]).toContain("const v0 = a &amp;&amp; b &lt; c;");
    expect(withCode[0]).toContain("const v39");
    expect(posted.join("\n").match(/Part \d+/g)).toEqual(Array.from({ length: 30 }, (_, i) => `Part ${i}`));
  });

  it("rejects bad tokens at start with one clear error and never logs them", async () => {
    await expect(start({ botToken: "xoxb-wrong-token-123" })).rejects.toThrow(
      /rejected the tokens \(invalid_auth\)/,
    );
    channel = undefined;
    await expect(start({ appToken: "xapp-wrong-token-456" })).rejects.toThrow(
      /rejected the tokens \(invalid_auth\)/,
    );
    channel = undefined;
    expect(logs.join("\n")).not.toMatch(/xoxb-wrong-token-123|xapp-wrong-token-456/);
  });
});
