import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeLlm, startFakeOpenAI } from "../fakes/openai-server.js";
import { type FakeTelegram, startFakeTelegram } from "../fakes/telegram-server.js";
import { shellModel } from "../helpers/shell-model.js";
import { killAll, llmEnv, type RunningKavilo, startKavilo } from "./start-harness.js";

const ALICE = { id: 1001, username: "alice", first_name: "Alice" };
const BOB = { id: 2002, username: "bob", first_name: "Bob" };
const GROUP = -700;

let llm: FakeLlm;
let tg: FakeTelegram;
let kavilo: RunningKavilo;

beforeAll(async () => {
  llm = await startFakeOpenAI({ respond: shellModel });
  tg = await startFakeTelegram();
  kavilo = await startKavilo({
    config: {
      channels: {
        telegram: {
          enabled: true,
          token: tg.token,
          allowFrom: [String(ALICE.id), String(BOB.id)],
          apiRoot: tg.apiRoot,
        },
      },
      // tools.approval.mode is left unset: chats ask by default.
      tools: { exec: { allow: ["echo safe*"] }, approval: { timeoutS: 3 } },
    },
    env: (home) => llmEnv(home, llm.url),
    ready: /telegram: connected as @kavilo_bot/,
  });
});

afterAll(async () => {
  killAll();
  await tg?.close();
  await llm?.close();
});

const workspace = () => join(kavilo.kaviloHome, "workspace");
const texts = () => tg.sent().map((p) => String(p.text));
const say = (text: string) =>
  tg.sendText({ chatId: GROUP, chatType: "group", from: ALICE, text: `@kavilo_bot ${text}` });

/** The sent message carrying buttons for `command`, with its message_id and callback data by label. */
async function question(command: string) {
  await tg.waitFor(() => tg.sent().some((p) => p.reply_markup && String(p.text).includes(command)), 10_000);
  const i = tg.sent().findIndex((p) => p.reply_markup && String(p.text).includes(command));
  const params = tg.sent()[i] as {
    reply_markup: { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> };
  };
  const buttons = Object.fromEntries(
    params.reply_markup.inline_keyboard.flat().map((b) => [b.text, b.callback_data]),
  );
  return { messageId: tg.sentIds()[i] as number, buttons };
}

const answers = () =>
  tg.calls.filter((c) => c.method === "answerCallbackQuery").map((c) => c.params as Record<string, unknown>);

function sessionLines(): string {
  const dir = join(workspace(), "sessions");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".jsonl"))
    .map((f) => readFileSync(join(dir, f), "utf8"))
    .join("\n");
}

describe("approvals in Telegram", () => {
  it("runs an allow-listed command without asking", async () => {
    say("run: echo safe and sound");
    await tg.waitFor(() => texts().some((t) => t.includes("tool said: safe and sound")), 10_000);
    expect(tg.sent().some((p) => p.reply_markup)).toBe(false);
  });

  it("asks with an inline keyboard quoting the command; another user's press is refused; the sender's allows", async () => {
    say("run: touch approved-once.txt");
    const q = await question("touch approved-once.txt");
    expect(Object.keys(q.buttons)).toEqual(["Allow once", "Allow always", "Deny"]);
    expect(texts().find((t) => t.includes("touch approved-once.txt"))).toContain("<pre>");

    const bobQuery = tg.pressButton({
      from: BOB,
      messageId: q.messageId,
      data: q.buttons["Allow once"] as string,
    });
    await tg.waitFor(() => answers().some((a) => a.callback_query_id === bobQuery), 10_000);
    expect(answers().find((a) => a.callback_query_id === bobQuery)).toMatchObject({
      text: "Only the person whose message started this can answer it.",
      show_alert: true,
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(existsSync(join(workspace(), "approved-once.txt"))).toBe(false);

    tg.pressButton({ from: ALICE, messageId: q.messageId, data: q.buttons["Allow once"] as string });
    await tg.waitFor(() => existsSync(join(workspace(), "approved-once.txt")), 10_000);
    const isEdit = (c: { method: string; params: Record<string, unknown> }) =>
      c.method === "editMessageText" && c.params.message_id === q.messageId;
    await tg.waitFor(() => tg.calls.some(isEdit), 10_000);
    const edit = tg.calls.find(isEdit);
    expect(String(edit?.params.text)).toContain("→ Allow once (@alice)");
    await tg.waitFor(() => sessionLines().includes('"by":"telegram:1001 (alice)"'), 10_000);
    expect(sessionLines()).toMatch(
      /"approval":\{"tool":"shell","summary":"touch approved-once.txt","decision":"allowed","how":"once"/,
    );
    expect(kavilo.stderr()).toMatch(
      /approval: shell "touch approved-once.txt" allowed \(once by telegram:1001 \(alice\)\)/,
    );
  });

  it("Deny reaches the model as a tool result; the command does not run", async () => {
    say("run: touch denied.txt");
    const q = await question("touch denied.txt");
    tg.pressButton({ from: ALICE, messageId: q.messageId, data: q.buttons.Deny as string });
    await tg.waitFor(() => texts().some((t) => t.includes("the user denied this shell command")), 10_000);
    expect(existsSync(join(workspace(), "denied.txt"))).toBe(false);
  });

  it("no answer within tools.approval.timeoutS is a deny, its buttons give way to saying so, and a late press is refused", async () => {
    say("run: touch too-late.txt");
    const q = await question("touch too-late.txt");
    await tg.waitFor(() => texts().some((t) => t.includes("nobody answered within 3 s")), 10_000);
    const isEdit = (c: { method: string; params: Record<string, unknown> }) =>
      c.method === "editMessageText" && c.params.message_id === q.messageId;
    await tg.waitFor(() => tg.calls.some(isEdit), 10_000);
    const edit = tg.calls.find(isEdit)?.params as Record<string, unknown>;
    expect(String(edit.text)).toContain("touch too-late.txt");
    expect(String(edit.text)).toContain("→ no answer in time (tools.approval.timeoutS): denied");
    expect(edit.reply_markup).toBeUndefined();
    const late = tg.pressButton({
      from: ALICE,
      messageId: q.messageId,
      data: q.buttons["Allow once"] as string,
    });
    await tg.waitFor(() => answers().some((a) => a.callback_query_id === late), 10_000);
    expect(answers().find((a) => a.callback_query_id === late)?.text).toBe(
      "This question is no longer open.",
    );
    expect(existsSync(join(workspace(), "too-late.txt"))).toBe(false);
  });

  it("a sub-agent's risky call is asked of the chat user who started it", async () => {
    say("spawn: run: touch from-sub-agent.txt");
    const q = await question("touch from-sub-agent.txt");
    tg.pressButton({ from: ALICE, messageId: q.messageId, data: q.buttons["Allow once"] as string });
    await tg.waitFor(() => existsSync(join(workspace(), "from-sub-agent.txt")), 10_000);
    await tg.waitFor(() => texts().some((t) => t.includes("finished")), 10_000);
  });

  it("a cron job has nobody to ask: its risky call is denied and the chat gets the job's answer saying so", async () => {
    say("cron: run: touch from-cron.txt");
    await tg.waitFor(
      () => texts().some((t) => t.includes("nobody can be asked in this turn (a cron job or heartbeat)")),
      15_000,
    );
    expect(existsSync(join(workspace(), "from-cron.txt"))).toBe(false);
    expect(tg.sent().some((p) => p.reply_markup && String(p.text).includes("from-cron.txt"))).toBe(false);
  });

  it("Allow always saves the pattern to config.json and the next such command does not ask", async () => {
    say("run: mkdir -p always-a");
    const q = await question("mkdir -p always-a");
    tg.pressButton({ from: ALICE, messageId: q.messageId, data: q.buttons["Allow always"] as string });
    await tg.waitFor(() => existsSync(join(workspace(), "always-a")), 10_000);
    const config = JSON.parse(readFileSync(join(kavilo.kaviloHome, "config.json"), "utf8"));
    expect(config.tools.exec.allow).toEqual(["echo safe*", "mkdir*"]);
    const asked = tg.sent().filter((p) => p.reply_markup).length;
    say("run: mkdir -p always-b");
    await tg.waitFor(() => existsSync(join(workspace(), "always-b")), 10_000);
    expect(tg.sent().filter((p) => p.reply_markup).length).toBe(asked);
  });
});
