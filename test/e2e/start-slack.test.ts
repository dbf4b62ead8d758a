import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeLlm, lastUserText, startFakeOpenAI } from "../fakes/openai-server.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack-server.js";
import { slackChannel } from "../helpers/slack-channel.js";
import { killAll, llmEnv, startKavilo } from "./start-harness.js";

let llm: FakeLlm;
let slack: FakeSlack;
let seq = 0;
const ts = () => `1700000000.${String(++seq).padStart(6, "0")}`;

beforeAll(async () => {
  llm = await startFakeOpenAI({ respond: (req) => ({ text: `echo: ${lastUserText(req)}` }) });
  slack = await startFakeSlack();
  await startKavilo({
    config: {
      channels: {
        slack: slackChannel(slack, ["U_ALICE"]),
      },
    },
    env: (home) => llmEnv(home, llm.url),
    ready: /slack: connected as/,
  });
});

afterAll(async () => {
  killAll();
  await slack?.close();
  await llm?.close();
});

const postedWith = (text: string) => slack.posted().filter((p) => String(p.text).includes(text));

describe("kavilo start with Slack (Socket Mode)", () => {
  it("acks an app_mention and replies in its thread", async () => {
    const at = ts();
    const envelope = slack.pushEvent({
      type: "app_mention",
      user: "U_ALICE",
      channel: "C_GENERAL",
      text: `<@${slack.botUserId}> summarize the week`,
      ts: at,
    });
    await slack.waitFor(() => postedWith("echo: summarize the week").length === 1);
    expect(slack.acks).toContain(envelope);
    expect(postedWith("echo: summarize the week")[0]).toMatchObject({ channel: "C_GENERAL", thread_ts: at });
    expect(slack.calls.some((c) => c.method === "reactions.add" && c.params.timestamp === at)).toBe(true);
  });

  it("answers a DM in the DM", async () => {
    slack.pushEvent({
      type: "message",
      channel_type: "im",
      user: "U_ALICE",
      channel: "D_ALICE",
      text: "a direct question",
      ts: ts(),
    });
    await slack.waitFor(() => postedWith("echo: a direct question").length === 1);
    expect(postedWith("echo: a direct question")[0]?.channel).toBe("D_ALICE");
    expect(postedWith("echo: a direct question")[0]?.thread_ts).toBeUndefined();
  });

  it("ignores the bot's own messages", async () => {
    const before = llm.requests.length;
    slack.pushEvent({
      type: "message",
      channel_type: "im",
      user: slack.botUserId,
      bot_id: slack.botId,
      channel: "D_ALICE",
      text: "echo: something I said",
      ts: ts(),
    });
    slack.pushEvent({
      type: "message",
      channel_type: "im",
      user: "U_ALICE",
      channel: "D_ALICE",
      text: "after the bot spoke",
      ts: ts(),
    });
    await slack.waitFor(() => postedWith("echo: after the bot spoke").length === 1);
    expect(llm.requests.slice(before).map(lastUserText)).toEqual(["after the bot spoke"]);
  });

  it("reconnects after a disconnect envelope without losing a message", async () => {
    const before = slack.connections;
    slack.disconnect();
    slack.pushEvent({
      type: "message",
      channel_type: "im",
      user: "U_ALICE",
      channel: "D_ALICE",
      text: "sent during the reconnect",
      ts: ts(),
    });
    await slack.waitFor(() => slack.connections > before, 10_000);
    slack.pushEvent({
      type: "message",
      channel_type: "im",
      user: "U_ALICE",
      channel: "D_ALICE",
      text: "sent after the reconnect",
      ts: ts(),
    });
    await slack.waitFor(
      () => postedWith("echo: sent during").length === 1 && postedWith("echo: sent after").length === 1,
      10_000,
    );
    const texts = slack.posted().map((p) => String(p.text));
    expect(texts.indexOf("echo: sent during the reconnect")).toBeLessThan(
      texts.indexOf("echo: sent after the reconnect"),
    );
  });
});
