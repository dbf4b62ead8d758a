import type { Message, UserFromGetMe } from "grammy/types";
import { describe, expect, it } from "vitest";
import { isSenderAllowed } from "../../src/channels/access.js";
import { readLimited } from "../../src/channels/media-store.js";
import { classifySlackEvent, slackTextToPlain } from "../../src/channels/slack/slack-inbound.js";
import { classifyTelegramMessage } from "../../src/channels/telegram/telegram-inbound.js";
import { redactText } from "../../src/core/base/redact.js";

describe("isSenderAllowed", () => {
  it("matches ids and usernames with or without @, case-insensitively", () => {
    expect(isSenderAllowed(["@Alice"], ["42", "alice"])).toBe(true);
    expect(isSenderAllowed(["42"], ["42", undefined])).toBe(true);
    expect(isSenderAllowed(["bob"], ["42", "alice"])).toBe(false);
    expect(isSenderAllowed(["*"], ["anyone"])).toBe(true);
    expect(isSenderAllowed([], ["42"])).toBe(false);
  });
});

const me = { id: 99, is_bot: true, first_name: "K", username: "kavilo_bot" } as UserFromGetMe;
const group = (text: string, extra: Partial<Message> = {}) =>
  ({
    message_id: 1,
    date: 0,
    chat: { id: -5, type: "supergroup", title: "g" },
    from: { id: 1, is_bot: false, first_name: "A", username: "alice" },
    text,
    ...extra,
  }) as Message;

describe("classifyTelegramMessage", () => {
  const access = { allowFrom: ["*"], groupPolicy: "mention" as const };

  it("accepts a text_mention of the bot and a /cmd@bot, ignores commands for other bots", () => {
    const tm = group("Kavilo hi", { entities: [{ type: "text_mention", offset: 0, length: 6, user: me }] });
    expect(classifyTelegramMessage(tm, me, access).kind).toBe("accept");
    const cmd = group("/stop@kavilo_bot", { entities: [{ type: "bot_command", offset: 0, length: 16 }] });
    expect(classifyTelegramMessage(cmd, me, access)).toMatchObject({ kind: "accept", command: "stop" });
    const other = group("/new@other_bot", { entities: [{ type: "bot_command", offset: 0, length: 14 }] });
    expect(classifyTelegramMessage(other, me, { ...access, groupPolicy: "open" }).kind).toBe("ignore");
  });

  it("does not treat a mention of someone else as addressing the bot", () => {
    const msg = group("@kavilo_bot_fan hi", { entities: [{ type: "mention", offset: 0, length: 15 }] });
    expect(classifyTelegramMessage(msg, me, access).kind).toBe("ignore");
  });
});

describe("classifySlackEvent", () => {
  const policy = {
    allowFrom: ["*"],
    groupPolicy: "allowlist" as const,
    groupAllowFrom: ["C_OK"],
    replyInThread: false,
    allowBots: false,
  };
  const bot = { userId: "UBOT", botId: "BBOT" };

  it("applies the channel allowlist and keys unthreaded channels by channel when replyInThread is off", () => {
    const base = { type: "message" as const, channel_type: "channel", user: "U1", text: "hey", ts: "1.1" };
    expect(classifySlackEvent({ ...base, channel: "C_NO" }, bot, policy).kind).toBe("ignore");
    expect(classifySlackEvent({ ...base, channel: "C_OK" }, bot, policy)).toMatchObject({
      kind: "accept",
      sessionKey: "slack:C_OK",
    });
    expect(classifySlackEvent({ ...base, channel: "C_OK", thread_ts: "0.5" }, bot, policy)).toMatchObject({
      sessionKey: "slack:C_OK:0.5",
      threadId: "0.5",
    });
  });

  it("a DM is one session answered in place; a DM thread is its own session; channels thread per message", () => {
    const threaded = { ...policy, replyInThread: true, groupPolicy: "open" as const };
    const dm = {
      type: "message" as const,
      channel_type: "im",
      channel: "D1",
      user: "U1",
      text: "hi",
      ts: "2.2",
    };
    expect(classifySlackEvent(dm, bot, threaded)).toMatchObject({ kind: "accept", sessionKey: "slack:D1" });
    expect(classifySlackEvent(dm, bot, threaded)).not.toHaveProperty("threadId");
    expect(classifySlackEvent({ ...dm, thread_ts: "1.0" }, bot, threaded)).toMatchObject({
      sessionKey: "slack:D1:1.0",
      threadId: "1.0",
    });
    const inChannel = { ...dm, channel_type: "channel", channel: "C9" };
    expect(classifySlackEvent(inChannel, bot, threaded)).toMatchObject({
      sessionKey: "slack:C9:2.2",
      threadId: "2.2",
    });
  });

  it("strips the bot mention and unwraps Slack's link and entity syntax", () => {
    const ev = {
      type: "app_mention" as const,
      channel: "C_OK",
      user: "U1",
      text: "<@UBOT> see <https://a.dev|docs> &amp; <https://b.dev>",
      ts: "2.2",
    };
    expect(classifySlackEvent(ev, bot, { ...policy, groupPolicy: "mention" })).toMatchObject({
      text: "see docs (https://a.dev) & https://b.dev",
    });
    expect(slackTextToPlain("a &lt;b&gt;")).toBe("a <b>");
  });
});

describe("redactText (channel log lines)", () => {
  it("removes Telegram bot URLs and Slack tokens", () => {
    const line = redactText(
      "GET https://api.telegram.org/bot123:ABCdefGHIjkl_mno/getMe with xoxb-1-2-abc and xapp-1-A-2",
    );
    expect(line).not.toMatch(/ABCdef|xoxb-1|xapp-1/);
  });
});

describe("readLimited (media downloads)", () => {
  it("cuts off a body without content-length at the limit instead of buffering it", async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(1024));
      },
    });
    await expect(readLimited(new Response(endless), "a file", 10 * 1024)).rejects.toThrow(
      /larger than 10240 bytes/,
    );
    expect(pulled).toBeLessThan(20);
    const small = await readLimited(new Response(new Uint8Array([1, 2, 3])), "a file", 10);
    expect([...small]).toEqual([1, 2, 3]);
  });
});
