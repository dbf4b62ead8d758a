/**
 * An MCP server's question (elicitation) during a Slack turn of `kavilo start` (Socket Mode): it is
 * asked, in that thread, of the user who mentioned kavilo; only that user's next message there is the
 * answer ("ok" accepts the schema's defaults); another user's message is not, and a DM's "decline"
 * declines.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type McpAuthServer, startMcpAuthServer } from "../fakes/mcp-auth-server.js";
import { type FakeLlm, startFakeOpenAI } from "../fakes/openai-server.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack-server.js";
import { srvToolModel, startWithSrv } from "../helpers/mcp-srv-turn.js";
import { slackChannel } from "../helpers/slack-channel.js";
import { killAll } from "./start-harness.js";

let mcp: McpAuthServer;
let llm: FakeLlm;
let slack: FakeSlack;
let seq = 0;
const ts = () => `1700000100.${String(++seq).padStart(6, "0")}`;

beforeAll(async () => {
  mcp = await startMcpAuthServer({});
  llm = await startFakeOpenAI({ respond: srvToolModel });
  slack = await startFakeSlack();
  await startWithSrv({
    homePrefix: "kavilo-start-slack-elicit-",
    mcpUrl: mcp.mcpUrl,
    llmUrl: llm.url,
    channels: { slack: slackChannel(slack, ["U_ALICE", "U_BOB"]) },
    ready: /slack: connected as/,
  });
}, 30_000);

afterAll(async () => {
  killAll();
  await slack?.close();
  await llm?.close();
  await mcp?.close();
});

const posts = (channel: string) =>
  slack.posted().filter((p) => p.channel === channel) as Array<{ text: string; thread_ts?: string }>;
const postWith = (channel: string, text: string) => posts(channel).find((p) => String(p.text).includes(text));
const mention = (user: string, text: string, threadTs?: string) => {
  const at = ts();
  slack.pushEvent({
    type: "app_mention",
    user,
    channel: "C_OPS",
    text: `<@${slack.botUserId}> ${text}`,
    ts: at,
    ...(threadTs ? { thread_ts: threadTs } : {}),
  });
  return at;
};

describe("kavilo start: an MCP server's question in Slack", () => {
  it("asks the sender in the thread; another user's reply is not the answer; the sender's ok accepts the defaults", {
    timeout: 30_000,
  }, async () => {
    const thread = mention("U_ALICE", "configure the report");
    await slack.waitFor(() => postWith("C_OPS", "asks: Settings for the report") !== undefined, 10_000);
    const question = postWith("C_OPS", "asks: Settings for the report");
    expect(question?.thread_ts).toBe(thread);
    expect(question?.text).toContain('The MCP server "srv" asks: Settings for the report');
    expect(question?.text).toContain("Format: pdf | html | md — default: html");
    expect(question?.text).toContain("Title — default: Weekly");

    // Bob answers in the same thread: not his question, so it waits for the running turn, like any message.
    mention("U_BOB", "decline", thread);
    await new Promise((r) => setTimeout(r, 500));
    expect(postWith("C_OPS", "tool said:")).toBeUndefined();
    expect(mcp.stats.toolCalls).toBe(1);

    // Alice accepts unchanged: the schema's defaults reach the server.
    mention("U_ALICE", "ok", thread);
    await slack.waitFor(() => postWith("C_OPS", "tool said:") !== undefined, 10_000);
    const answer = postWith("C_OPS", "tool said:");
    expect(answer?.thread_ts).toBe(thread);
    expect(answer?.text).toContain(
      'elicitation accept: {"title":"Weekly","copies":2,"format":"html","urgent":false}',
    );
    // Bob's message was a turn of its own after Alice's, not the form's answer.
    await slack.waitFor(() => postWith("C_OPS", "echo: decline") !== undefined, 10_000);
  });

  it("in a DM, a reply that does not parse is asked again; decline declines", {
    timeout: 30_000,
  }, async () => {
    slack.pushEvent({
      type: "message",
      channel_type: "im",
      user: "U_ALICE",
      channel: "D_ALICE",
      text: "configure it",
      ts: ts(),
    });
    await slack.waitFor(() => postWith("D_ALICE", "asks: Settings for the report") !== undefined, 10_000);
    const turns = llm.requests.length;
    slack.pushEvent({
      type: "message",
      channel_type: "im",
      user: "U_ALICE",
      channel: "D_ALICE",
      text: "Copies: many",
      ts: ts(),
    });
    await slack.waitFor(() => posts("D_ALICE").length >= 2, 10_000);
    const retry = posts("D_ALICE")[1]?.text ?? "";
    expect(retry).toMatch(/copies|number/i);
    expect(retry).not.toContain("tool said:");
    slack.pushEvent({
      type: "message",
      channel_type: "im",
      user: "U_ALICE",
      channel: "D_ALICE",
      text: "decline",
      ts: ts(),
    });
    await slack.waitFor(() => postWith("D_ALICE", "tool said:") !== undefined, 10_000);
    expect(postWith("D_ALICE", "tool said:")?.text).toContain("elicitation decline: {}");
    // Both replies were answers, not turns: one model call after the tool, no "echo:".
    expect(llm.requests.length).toBe(turns + 1);
    expect(postWith("D_ALICE", "echo:")).toBeUndefined();
  });
});
