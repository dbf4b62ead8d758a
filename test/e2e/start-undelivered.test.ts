import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeLlm, lastUserText, startFakeOpenAI } from "../fakes/openai-server.js";
import { type FakeTelegram, startFakeTelegram } from "../fakes/telegram-server.js";
import { runCli, tempHome } from "../helpers/cli.js";
import { killAll, llmEnv, startKavilo } from "./start-harness.js";

const ALICE = 1001;
let llm: FakeLlm;
let tg: FakeTelegram;

beforeAll(async () => {
  llm = await startFakeOpenAI({ respond: (req) => ({ text: `echo: ${lastUserText(req)}` }) });
  tg = await startFakeTelegram();
});

afterAll(async () => {
  killAll();
  await tg?.close();
  await llm?.close();
});

const config = () => ({
  channels: { telegram: { enabled: true, token: tg.token, allowFrom: [String(ALICE)], apiRoot: tg.apiRoot } },
});
const delivered = (text: string) => () =>
  tg.calls.some((c) => c.method === "sendMessage" && c.result && String(c.params.text).includes(text));
const waiting = (home: string) => {
  try {
    return readdirSync(join(home, ".kavilo", "queue", "undelivered"));
  } catch {
    return [];
  }
};

describe("kavilo start: a reply that cannot be delivered", () => {
  it("is kept in the profile after the channel's retries and delivered by a later retry", async () => {
    const home = tempHome("kavilo-undelivered-");
    const kavilo = await startKavilo({
      home,
      config: config(),
      env: (h) => llmEnv(h, llm.url, { KAVILO_UNDELIVERED_BASE_MS: "1500" }),
      ready: /telegram: connected as @kavilo_bot/,
    });
    // The first try and the channel's three retries all die on the network.
    tg.dropRequests("sendMessage", 4);
    tg.sendText({ chatId: ALICE, from: ALICE, text: "hello outbox" });
    await kavilo.waitForStderr(
      /could not deliver a reply to 1001: .*; kept in .*undelivered.*\.json and retried/,
      30_000,
    );
    const files = waiting(home);
    expect(files).toHaveLength(1);
    const file = join(home, ".kavilo", "queue", "undelivered", files[0]!);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    await tg.waitFor(delivered("echo: hello outbox"), 20_000);
    await kavilo.waitForStderr(/delivered a reply to 1001 after 2 tries/, 5000);
    expect(waiting(home)).toEqual([]);
    expect(await kavilo.stop("SIGTERM")).toBe(0);
  }, 60_000);

  it("survives a restart: the next start delivers it", async () => {
    const home = tempHome("kavilo-undelivered-");
    const env = (h: string) => llmEnv(h, llm.url, { KAVILO_UNDELIVERED_BASE_MS: "600000" });
    const first = await startKavilo({
      home,
      config: config(),
      env,
      ready: /telegram: connected as @kavilo_bot/,
    });
    tg.dropRequests("sendMessage", 1000);
    tg.sendText({ chatId: ALICE, from: ALICE, text: "across a restart" });
    await first.waitForStderr(/kept in .*undelivered/, 30_000);
    expect(await first.stop("SIGTERM")).toBe(0);
    expect(waiting(home)).toHaveLength(1);
    expect(delivered("echo: across a restart")()).toBe(false);

    tg.dropRequests("sendMessage", 0);
    const second = await startKavilo({ home, env, ready: /telegram: connected as @kavilo_bot/ });
    await tg.waitFor(delivered("echo: across a restart"), 20_000);
    await second.waitForStderr(/delivered a reply to 1001/, 5000);
    expect(waiting(home)).toEqual([]);
    // Answered once: the turn is not run again, only the reply is sent.
    expect(llm.requests.filter((r) => lastUserText(r) === "across a restart")).toHaveLength(1);
    expect(await second.stop("SIGTERM")).toBe(0);
  }, 60_000);

  it("a cron job's result that cannot be delivered is kept and retried too", async () => {
    const home = tempHome("kavilo-undelivered-");
    const env = (h: string) => llmEnv(h, llm.url, { KAVILO_UNDELIVERED_BASE_MS: "1500" });
    const at = new Date(Date.now() + 4000).toISOString();
    const added = await runCli(
      ["cron", "add", "--message", "cron outbox", "--at", at, "--channel", "telegram", "--to", String(ALICE)],
      { env: env(home) },
    );
    expect(added.code).toBe(0);
    const kavilo = await startKavilo({
      home,
      config: config(),
      env,
      ready: /telegram: connected as @kavilo_bot/,
    });
    tg.dropRequests("sendMessage", 4);
    await kavilo.waitForStderr(
      /could not deliver a message to 1001: .*; kept in .*undelivered.*\.json and retried/,
      30_000,
    );
    await tg.waitFor(delivered("echo: cron outbox"), 20_000);
    await kavilo.waitForStderr(/delivered a reply to 1001 after 2 tries/, 5000);
    expect(waiting(home)).toEqual([]);
    expect(await kavilo.stop("SIGTERM")).toBe(0);
  }, 60_000);
});
