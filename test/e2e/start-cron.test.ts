import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  type FakeLlm,
  type FakeStep,
  lastUserText,
  type RecordedRequest,
  startFakeOpenAI,
} from "../fakes/openai-server.js";
import { type FakeTelegram, startFakeTelegram } from "../fakes/telegram-server.js";
import { runCli, tempHome } from "../helpers/cli.js";
import { killAll, llmEnv, startKavilo, writeConfig } from "./start-harness.js";

const ALICE = 1001;
let llm: FakeLlm | undefined;
let tg: FakeTelegram | undefined;

afterEach(async () => {
  killAll();
  await tg?.close();
  await llm?.close();
});

type Msg = { role: string; content: unknown };
const messagesOf = (req: RecordedRequest) => (req.body as { messages: Msg[] }).messages;

/** A reminder request makes the model call the cron tool once, then confirm. Everything else is echoed. */
function respond(req: RecordedRequest): FakeStep {
  const last = messagesOf(req).at(-1);
  const text = lastUserText(req);
  if (text === "remind me soon") {
    if (last?.role === "tool") return { text: "Reminder set." };
    return {
      toolCalls: [
        { name: "cron", args: { action: "add", in_seconds: 1, message: "say the reminder to stretch" } },
      ],
    };
  }
  return { text: `done: ${text}` };
}

async function setup(home: string) {
  const fakeLlm = await startFakeOpenAI({ respond });
  const fakeTg = await startFakeTelegram();
  llm = fakeLlm;
  tg = fakeTg;
  writeConfig(home, {
    channels: {
      telegram: { enabled: true, token: fakeTg.token, allowFrom: [String(ALICE)], apiRoot: fakeTg.apiRoot },
    },
  });
  return { fakeLlm, fakeTg, env: llmEnv(home, fakeLlm.url) };
}

const textsTo = (fake: FakeTelegram, chat: number) =>
  fake
    .sent()
    .filter((p) => Number(p.chat_id) === chat)
    .map((p) => String(p.text));

describe("kavilo start runs cron jobs", () => {
  it("delivers an every-second job repeatedly and a one-shot job once, then forgets the one-shot", async () => {
    const home = tempHome();
    const { fakeLlm, fakeTg, env } = await setup(home);
    const every = await runCli(
      ["cron", "add", "--message", "tick", "--every", "1", "--channel", "telegram", "--to", String(ALICE)],
      { env },
    );
    expect(every.code).toBe(0);
    const at = new Date(Date.now() + 1500).toISOString();
    const once = await runCli(
      ["cron", "add", "--message", "one shot", "--at", at, "--channel", "telegram", "--to", String(ALICE)],
      { env },
    );
    expect(once.code).toBe(0);
    await startKavilo({ home, env: () => env, ready: /telegram: connected/ });
    await fakeTg.waitFor(() => textsTo(fakeTg, ALICE).filter((t) => t === "done: tick").length >= 3, 8000);
    await fakeTg.waitFor(() => textsTo(fakeTg, ALICE).includes("done: one shot"), 5000);
    expect(textsTo(fakeTg, ALICE).filter((t) => t === "done: one shot")).toHaveLength(1);
    const jobs = JSON.parse(readFileSync(join(home, ".kavilo", "cron", "jobs.json"), "utf8")) as {
      jobs: Array<{ message: string; lastStatus?: string }>;
    };
    expect(jobs.jobs.map((j) => j.message)).toEqual(["tick"]);
    expect(jobs.jobs[0]?.lastStatus).toBe("ok");
    // Each run is its own turn in session cron:<id>.
    expect(fakeLlm.requests.filter((r) => lastUserText(r) === "tick").length).toBeGreaterThanOrEqual(3);
  });

  it("runs a job the model scheduled with the cron tool and answers in the chat that asked", async () => {
    const home = tempHome();
    const { fakeTg, env } = await setup(home);
    await startKavilo({ home, env: () => env, ready: /telegram: connected/ });
    fakeTg.sendText({ chatId: ALICE, from: ALICE, text: "remind me soon" });
    await fakeTg.waitFor(() => textsTo(fakeTg, ALICE).includes("Reminder set."));
    await fakeTg.waitFor(() => textsTo(fakeTg, ALICE).includes("done: say the reminder to stretch"), 5000);
  });

  it("catches up a run missed within the grace period and records one missed beyond it", async () => {
    const home = tempHome();
    const { fakeTg, env } = await setup(home);
    const now = Date.now();
    mkdirSync(join(home, ".kavilo", "cron"), { recursive: true });
    const job = (id: string, message: string, dueAgoMs: number) => ({
      id,
      schedule: { kind: "every", seconds: 3600 },
      message,
      deliver: { channel: "telegram", chatId: String(ALICE) },
      enabled: true,
      createdAt: new Date(now - 86_400_000).toISOString(),
      nextRunAt: new Date(now - dueAgoMs).toISOString(),
    });
    writeFileSync(
      join(home, ".kavilo", "cron", "jobs.json"),
      JSON.stringify({
        version: 1,
        jobs: [job("recent01", "recently due", 30_000), job("stale001", "long overdue", 2 * 3600_000)],
      }),
    );
    const kavilo = await startKavilo({ home, env: () => env, ready: /telegram: connected/ });
    await fakeTg.waitFor(() => textsTo(fakeTg, ALICE).includes("done: recently due"), 5000);
    await kavilo.waitForStderr(/cron job stale001 missed the run/);
    expect(textsTo(fakeTg, ALICE)).not.toContain("done: long overdue");
    const saved = JSON.parse(readFileSync(join(home, ".kavilo", "cron", "jobs.json"), "utf8")) as {
      jobs: Array<{ id: string; lastStatus?: string; nextRunAt?: string }>;
    };
    const stale = saved.jobs.find((j) => j.id === "stale001");
    expect(stale?.lastStatus).toBe("missed");
    expect(Date.parse(stale?.nextRunAt ?? "")).toBeGreaterThan(now);
  });
});
