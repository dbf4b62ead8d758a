import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeLlm, lastUserText, startFakeOpenAI } from "../fakes/openai-server.js";
import { startFakeSlack } from "../fakes/slack-server.js";
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

/** While true, "never answer" stalls the fake model; a test flips it to see the message answered later. */
let stalling = true;

async function setup(runtime: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  stalling = true;
  const fakeLlm = await startFakeOpenAI({
    respond: (req) => {
      const text = lastUserText(req);
      if (text.includes("never answer") && stalling) return { fault: "stall" };
      if (text.includes("take a moment")) return { text: "worth the wait", delayMs: 600 };
      return { text: `echo: ${text}` };
    },
  });
  const fakeTg = await startFakeTelegram();
  llm = fakeLlm;
  tg = fakeTg;
  const home = tempHome();
  writeConfig(home, {
    channels: {
      telegram: { enabled: true, token: fakeTg.token, allowFrom: [String(ALICE)], apiRoot: fakeTg.apiRoot },
      ...extra,
    },
    runtime,
  });
  return { fakeLlm, fakeTg, home, env: llmEnv(home, fakeLlm.url) };
}

const sessionText = (home: string) => {
  const dir = join(home, ".kavilo", "workspace", "sessions");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".jsonl"))
    .map((f) => readFileSync(join(dir, f), "utf8"))
    .join("\n");
};

describe("kavilo start lifecycle", () => {
  it("on SIGTERM aborts a stuck turn at the deadline, keeps the session and exits 0", async () => {
    const { fakeLlm, fakeTg, home, env } = await setup({ shutdownDeadlineS: 1 });
    const kavilo = await startKavilo({ home, env: () => env, ready: /telegram: connected/ });
    fakeTg.sendText({ chatId: ALICE, from: ALICE, text: "please never answer" });
    await fakeTg.waitFor(() => fakeLlm.requests.length === 1);
    const t0 = Date.now();
    const code = await kavilo.stop("SIGTERM");
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(kavilo.stderr()).toMatch(/1 turns aborted/);
    expect(sessionText(home)).toContain("please never answer");
    expect(existsSync(join(home, ".kavilo", "kavilo.lock"))).toBe(false);
  });

  it("a message cut off by SIGTERM is answered after the restart (nothing is lost)", async () => {
    const { fakeLlm, fakeTg, home, env } = await setup({ shutdownDeadlineS: 1 });
    const first = await startKavilo({ home, env: () => env, ready: /telegram: connected/ });
    fakeTg.sendText({ chatId: ALICE, from: ALICE, text: "please never answer" });
    await fakeTg.waitFor(() => fakeLlm.requests.length === 1);
    expect(await first.stop("SIGTERM")).toBe(0);
    expect(fakeTg.sent().map((p) => p.text)).not.toContain("echo: please never answer");

    stalling = false;
    const second = await startKavilo({ home, env: () => env, ready: /telegram: connected/ });
    await fakeTg
      .waitFor(() => fakeTg.sent().some((p) => p.text === "echo: please never answer"), 8000)
      .catch((err: Error) => {
        const inbox = join(home, ".kavilo", "queue", "inbox.jsonl");
        const held = existsSync(inbox) ? readFileSync(inbox, "utf8") : "(no inbox)";
        throw new Error(
          `${err.message}\nfirst run:\n${first.stderr()}\nsecond run:\n${second.stderr()}\ninbox:\n${held}`,
        );
      });
    expect(second.stderr()).toMatch(/1 message\(s\) left unanswered/);
    expect(await second.stop("SIGTERM")).toBe(0);
    // Answered once; a third start has nothing left to replay.
    const third = await startKavilo({ home, env: () => env, ready: /telegram: connected/ });
    expect(third.stderr()).not.toMatch(/left unanswered/);
    expect(fakeTg.sent().filter((p) => p.text === "echo: please never answer")).toHaveLength(1);
  });

  it("a start that fails half-way exits promptly with one line and releases the lock", async () => {
    const { home, env } = await setup();
    mkdirSync(join(home, ".kavilo", "queue", "inbox.jsonl"), { recursive: true }); // unreadable inbox
    const t0 = Date.now();
    const r = await runCli(["start"], { env, timeoutMs: 10_000 });
    expect(r.code).toBe(1);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.stderr).toMatch(/^kavilo: cannot read the message inbox .*inbox\.jsonl/m);
    expect(existsSync(join(home, ".kavilo", "kavilo.lock"))).toBe(false);
  });

  it("on SIGINT lets a turn in flight finish and deliver before exiting", async () => {
    const { fakeLlm, fakeTg, home, env } = await setup({ shutdownDeadlineS: 5 });
    const kavilo = await startKavilo({ home, env: () => env, ready: /telegram: connected/ });
    fakeTg.sendText({ chatId: ALICE, from: ALICE, text: "take a moment" });
    await fakeTg.waitFor(() => fakeLlm.requests.length === 1);
    expect(await kavilo.stop("SIGINT")).toBe(0);
    expect(fakeTg.sent().map((p) => p.text)).toContain("worth the wait");
    expect(sessionText(home)).toContain("worth the wait");
  });

  it("refuses a second start in the same profile, naming the pid; takes over a stale lock", async () => {
    const { home, env } = await setup();
    writeFileSync(
      join(home, ".kavilo", "kavilo.lock"),
      JSON.stringify({ pid: 2 ** 22 + 17, startedAt: "x" }),
    );
    const first = await startKavilo({ home, env: () => env, ready: /telegram: connected/ });
    const second = await runCli(["start"], { env, timeoutMs: 10_000 });
    expect(second.code).toBe(2);
    expect(second.stderr.trim().split("\n")).toHaveLength(1);
    expect(second.stderr).toContain(`pid ${first.child.pid}`);
    expect(await first.stop()).toBe(0);
  });

  it("restarts a channel whose start fails, with backoff, while the others answer", async () => {
    const slack = await startFakeSlack();
    try {
      const { fakeTg, home, env } = await setup(
        {},
        {
          slack: {
            enabled: true,
            botToken: "xoxb-rejected-by-the-fake",
            appToken: slack.appToken,
            allowFrom: ["*"],
            apiUrl: slack.apiUrl,
          },
        },
      );
      const kavilo = await startKavilo({ home, env: () => env, ready: /telegram: connected/ });
      fakeTg.sendText({ chatId: ALICE, from: ALICE, text: "still here?" });
      await fakeTg.waitFor(() => fakeTg.sent().some((p) => p.text === "echo: still here?"));
      await slack.waitFor(() => slack.calls.filter((c) => c.method === "auth.test").length >= 3, 5000);
      const retries =
        kavilo.stderr().match(/slack: could not start: .*invalid_auth.*; retrying in (\d+) ms/g) ?? [];
      expect(retries.length).toBeGreaterThanOrEqual(2);
      const delays = retries.map((l) => Number(/retrying in (\d+) ms/.exec(l)?.[1]));
      expect(delays[1]).toBeGreaterThan(delays[0] ?? 0); // exponential: 50, 100, 200 ...
      expect(kavilo.stderr()).not.toContain("xoxb-rejected-by-the-fake");
    } finally {
      await slack.close();
    }
  });
});
