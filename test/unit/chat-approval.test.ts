import { describe, expect, it } from "vitest";
import { parseSlackPress } from "../../src/channels/slack/slack-choices.js";
import { choiceData, parseChoiceData } from "../../src/channels/telegram/telegram-send.js";
import { APPROVAL_TIMED_OUT } from "../../src/core/agent/interaction.js";
import { approvalQuestion, chatApprover } from "../../src/core/bus/chat-approval.js";
import { PendingChoices } from "../../src/core/bus/pending-choices.js";
import type { OutboundChoices } from "../../src/core/bus/types.js";

const KEY = { channel: "telegram", chatId: "-5", senderId: "1001" };
const pick = (over: Record<string, string> = {}) => ({
  channel: "telegram",
  chatId: "-5",
  senderId: "1001",
  questionId: "",
  value: "once",
  ...over,
});

describe("chat approvals", () => {
  it("quotes the command and names the pattern Allow always saves", () => {
    const text = approvalQuestion({ tool: "shell", summary: "rm -rf build", pattern: "rm*" });
    expect(text).toBe(
      'May I run this shell command?\n```\nrm -rf build\n```\n"Allow always" adds `rm*` to tools.exec.allow.',
    );
  });

  it("a long command is quoted by its start and end in one message, saying so (not split with the buttons under its tail)", () => {
    const summary = `rm -rf ~ #${" ".repeat(5000)}ls -la`;
    const text = approvalQuestion({ tool: "shell", summary });
    expect(text.length).toBeLessThan(1700);
    expect(text).toContain("rm -rf ~ #");
    expect(text).toContain("ls -la\n```");
    expect(text).toContain(`[… ${summary.length - 1300} characters not shown …]`);
    expect(text).toContain(`It is ${summary.length} characters long: only its start and end are shown.`);
  });

  it("only the sender, in the same chat, answers; another user or chat is refused and the question stays open", async () => {
    const choices = new PendingChoices();
    let sent: OutboundChoices | undefined;
    const approve = chatApprover({
      key: KEY,
      choices,
      send: async (_t, c) => {
        sent = c;
      },
    });
    const decision = approve(
      { tool: "shell", summary: "ls /", pattern: "ls*" },
      new AbortController().signal,
    );
    await Promise.resolve();
    const id = sent?.questionId as string;
    expect(sent?.options.map((o) => o.value)).toEqual(["once", "always", "deny"]);
    expect(choices.choose(pick({ questionId: id, senderId: "2002" }))).toEqual({
      accepted: false,
      note: "Only the person whose message started this can answer it.",
    });
    expect(choices.choose(pick({ questionId: id, chatId: "-6" })).accepted).toBe(false);
    expect(choices.choose(pick({ questionId: id, value: "always", senderName: "alice" })).accepted).toBe(
      true,
    );
    expect(await decision).toEqual({ allow: true, always: true, by: "telegram:1001 (alice)" });
    expect(choices.choose(pick({ questionId: id })).note).toBe("This question is no longer open.");
  });

  it("an aborted question (timeout, /stop) ends as a deny without an answerer", async () => {
    const choices = new PendingChoices();
    const ctl = new AbortController();
    const approve = chatApprover({ key: KEY, choices, send: async () => {} });
    const decision = approve({ tool: "shell", summary: "rm x" }, ctl.signal);
    ctl.abort();
    expect(await decision).toEqual({ allow: false, reason: "no answer" });
  });

  it("an unanswered question's buttons are taken down saying why (timed out or stopped); an answered one's are not", async () => {
    const choices = new PendingChoices();
    const closed: Array<[string, string]> = [];
    const sentIds: string[] = [];
    const approve = chatApprover({
      key: KEY,
      choices,
      send: async (_t, c) => {
        sentIds.push(c.questionId);
      },
      close: async (id, outcome) => {
        closed.push([id, outcome]);
      },
    });
    const timedOut = new AbortController();
    const first = approve({ tool: "shell", summary: "rm a" }, timedOut.signal);
    // A second question in the same chat, open at the same time, is its own question.
    const second = approve({ tool: "shell", summary: "rm b" }, new AbortController().signal);
    const stopped = new AbortController();
    const third = approve({ tool: "shell", summary: "rm c" }, stopped.signal);
    await Promise.resolve();
    timedOut.abort(APPROVAL_TIMED_OUT);
    stopped.abort();
    expect(await first).toEqual({ allow: false, reason: "no answer" });
    expect(await third).toEqual({ allow: false, reason: "no answer" });
    expect(choices.choose(pick({ questionId: sentIds[1] as string })).accepted).toBe(true);
    expect(await second).toMatchObject({ allow: true });
    expect(closed).toEqual([
      [sentIds[0], "→ no answer in time (tools.approval.timeoutS): denied"],
      [sentIds[2], "→ not answered: the turn was stopped"],
    ]);
    // A press on the timed-out question is refused.
    expect(choices.choose(pick({ questionId: sentIds[0] as string })).accepted).toBe(false);
  });

  it("a question that cannot be sent is a deny that says why", async () => {
    const approve = chatApprover({
      key: KEY,
      choices: new PendingChoices(),
      send: async () => {
        throw new Error("chat not found");
      },
    });
    expect(await approve({ tool: "shell", summary: "rm x" }, new AbortController().signal)).toEqual({
      allow: false,
      reason: "the question could not be sent: chat not found",
    });
  });

  it("button payloads round-trip: Telegram callback data within 64 bytes, Slack block_actions", () => {
    const id = new PendingChoices().newId();
    const data = choiceData(id, "always");
    expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
    expect(parseChoiceData(data)).toEqual({ questionId: id, value: "always" });
    expect(parseChoiceData("something else")).toBeUndefined();
    const press = parseSlackPress({
      type: "block_actions",
      user: { id: "U1", username: "ann" },
      channel: { id: "C1" },
      message: { ts: "1.2", thread_ts: "1.1", blocks: [{ type: "section", text: { text: "May I?" } }] },
      actions: [{ action_id: "kavilo_choice_deny", value: `${id}:deny`, text: { text: "Deny" } }],
    });
    expect(press).toEqual({
      pick: {
        channel: "slack",
        chatId: "C1",
        senderId: "U1",
        senderName: "ann",
        questionId: id,
        value: "deny",
      },
      label: "Deny",
      messageTs: "1.2",
      threadTs: "1.1",
      questionText: "May I?",
    });
    expect(parseSlackPress({ type: "view_submission" })).toBeUndefined();
  });
});
