import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeLlm, startFakeOpenAI } from "../fakes/openai-server.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack-server.js";
import { shellModel } from "../helpers/shell-model.js";
import { slackChannel } from "../helpers/slack-channel.js";
import { killAll, llmEnv, type RunningKavilo, startKavilo } from "./start-harness.js";

let llm: FakeLlm;
let slack: FakeSlack;
let kavilo: RunningKavilo;
let seq = 0;
const ts = () => `1700000000.${String(++seq).padStart(6, "0")}`;

beforeAll(async () => {
  llm = await startFakeOpenAI({ respond: shellModel });
  slack = await startFakeSlack();
  kavilo = await startKavilo({
    config: {
      channels: {
        slack: slackChannel(slack, ["U_ALICE", "U_BOB"]),
      },
      tools: { approval: { mode: "ask", timeoutS: 6 } },
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

const workspace = () => join(kavilo.kaviloHome, "workspace");
const mention = (text: string) => {
  const at = ts();
  slack.pushEvent({
    type: "app_mention",
    user: "U_ALICE",
    channel: "C_OPS",
    text: `<@${slack.botUserId}> ${text}`,
    ts: at,
  });
  return at;
};

/** The posted question about `command`: its ts and the values of its buttons by label. */
async function question(command: string) {
  const has = (p: Record<string, unknown>) => p.blocks && String(p.text).includes(command);
  await slack.waitFor(() => slack.posted().some(has), 10_000);
  const i = slack.posted().findIndex(has);
  const params = slack.posted()[i] as { blocks: string; thread_ts?: string };
  const blocks = JSON.parse(params.blocks) as Array<{
    type: string;
    elements?: Array<{ value: string; text: { text: string }; style?: string }>;
  }>;
  const buttons = Object.fromEntries(
    blocks.flatMap((b) => b.elements ?? []).map((e) => [e.text.text, e.value]),
  );
  return { ts: slack.postedTs()[i] as string, buttons, blocks, threadTs: params.thread_ts };
}

describe("approvals in Slack (Socket Mode interactivity)", () => {
  it("asks with Block Kit buttons in the thread; another user's click is refused; the sender's allows", async () => {
    const thread = mention("run: touch slack-ok.txt");
    const q = await question("touch slack-ok.txt");
    expect(q.threadTs).toBe(thread);
    expect(Object.keys(q.buttons)).toEqual(["Allow once", "Allow always", "Deny"]);
    expect(q.blocks[0]).toMatchObject({ type: "section", text: { type: "mrkdwn" } });
    expect(q.blocks[1]?.elements?.find((e) => e.text.text === "Deny")?.style).toBe("danger");

    const bobClick = slack.pressButton({
      userId: "U_BOB",
      channel: "C_OPS",
      ts: q.ts,
      value: q.buttons["Allow once"] as string,
    });
    await slack.waitFor(() => slack.calls.some((c) => c.method === "chat.postEphemeral"), 10_000);
    expect(slack.acks).toContain(bobClick);
    expect(slack.calls.find((c) => c.method === "chat.postEphemeral")?.params).toMatchObject({
      channel: "C_OPS",
      user: "U_BOB",
      text: "Only the person whose message started this can answer it.",
    });
    expect(existsSync(join(workspace(), "slack-ok.txt"))).toBe(false);

    const aliceClick = slack.pressButton({
      userId: "U_ALICE",
      channel: "C_OPS",
      ts: q.ts,
      value: q.buttons["Allow once"] as string,
    });
    await slack.waitFor(() => existsSync(join(workspace(), "slack-ok.txt")), 10_000);
    expect(slack.acks).toContain(aliceClick);
    await slack.waitFor(() => slack.calls.some((c) => c.method === "chat.update"), 10_000);
    const update = slack.calls.find((c) => c.method === "chat.update")?.params as Record<string, unknown>;
    expect(update).toMatchObject({ channel: "C_OPS", ts: q.ts });
    expect(String(update.text)).toContain("→ Allow once (<@U_ALICE>)");
    expect(String(update.blocks)).not.toContain('"actions"');
    await slack.waitFor(() => slack.posted().some((p) => String(p.text).startsWith("tool said:")), 10_000);
    expect(kavilo.stderr()).toMatch(/slack: button "once" from u_alice in C_OPS/);
  });

  it("Deny is reported to the model as the tool result", async () => {
    mention("run: touch slack-no.txt");
    const q = await question("touch slack-no.txt");
    slack.pressButton({ userId: "U_ALICE", channel: "C_OPS", ts: q.ts, value: q.buttons.Deny as string });
    await slack.waitFor(
      () => slack.posted().some((p) => String(p.text).includes("the user denied this shell command")),
      10_000,
    );
    expect(existsSync(join(workspace(), "slack-no.txt"))).toBe(false);
  });

  it("no answer within tools.approval.timeoutS is a deny and the buttons give way to saying so (chat.update)", async () => {
    mention("run: touch slack-late.txt");
    const q = await question("touch slack-late.txt");
    const isUpdate = (c: { method: string; params: Record<string, unknown> }) =>
      c.method === "chat.update" && c.params.ts === q.ts;
    await slack.waitFor(() => slack.calls.some(isUpdate), 15_000);
    const update = slack.calls.find(isUpdate)?.params as Record<string, unknown>;
    expect(update.channel).toBe("C_OPS");
    expect(String(update.text)).toContain("touch slack-late.txt");
    expect(String(update.text)).toContain("→ no answer in time (tools.approval.timeoutS): denied");
    expect(String(update.blocks)).not.toContain('"actions"');
    await slack.waitFor(
      () => slack.posted().some((p) => String(p.text).includes("nobody answered within 6 s")),
      10_000,
    );
    expect(existsSync(join(workspace(), "slack-late.txt"))).toBe(false);
  });
});
