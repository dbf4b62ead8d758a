import { afterEach, describe, expect, it } from "vitest";
import { type FakeLlm, lastUserText, startFakeOpenAI } from "../fakes/openai-server.js";
import { type FakeTelegram, startFakeTelegram } from "../fakes/telegram-server.js";
import { killAll, llmEnv, startKavilo } from "./start-harness.js";

let llm: FakeLlm | undefined;
let tg: FakeTelegram | undefined;

afterEach(async () => {
  killAll();
  await tg?.close();
  await llm?.close();
});

describe("kavilo start under load", () => {
  it("answers 200 messages across 20 Telegram chats, in order within each chat, none lost", async () => {
    const fakeLlm = await startFakeOpenAI({ respond: (req) => ({ text: `echo ${lastUserText(req)}` }) });
    const fakeTg = await startFakeTelegram();
    llm = fakeLlm;
    tg = fakeTg;
    await startKavilo({
      config: {
        channels: {
          telegram: { enabled: true, token: fakeTg.token, allowFrom: ["*"], apiRoot: fakeTg.apiRoot },
        },
        runtime: { maxConcurrentSessions: 8 },
      },
      env: (home) => llmEnv(home, fakeLlm.url),
      ready: /telegram: connected/,
    });
    const chats = Array.from({ length: 20 }, (_, i) => 5000 + i);
    for (let m = 0; m < 10; m++) {
      for (const chat of chats) fakeTg.sendText({ chatId: chat, from: chat, text: `c${chat} m${m}` });
    }
    await fakeTg.waitFor(() => fakeTg.sent().length >= 200, 15_000);
    for (const chat of chats) {
      const texts = fakeTg
        .sent()
        .filter((p) => Number(p.chat_id) === chat)
        .map((p) => String(p.text));
      expect(texts).toEqual(Array.from({ length: 10 }, (_, m) => `echo c${chat} m${m}`));
    }
    expect(fakeTg.sent()).toHaveLength(200);
    expect(fakeLlm.requests).toHaveLength(200);
  });
});
