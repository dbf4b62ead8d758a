import { afterEach, describe, expect, it } from "vitest";
import { type FakeLlm, lastUserText, startFakeOpenAI } from "../fakes/openai-server.js";
import { type FakeTelegram, startFakeTelegram } from "../fakes/telegram-server.js";
import { tempHome } from "../helpers/cli.js";
import { killAll, llmEnv, startKavilo, writeConfig } from "./start-harness.js";

const ALICE = 1001;
let llm: FakeLlm | undefined;
let tg: FakeTelegram | undefined;

afterEach(async () => {
  killAll();
  await tg?.close();
  await llm?.close();
});

describe("kavilo start: a platform that never answers", () => {
  it("exits 0 within the shutdown deadline plus the margin when a reply send hangs", async () => {
    llm = await startFakeOpenAI({ respond: (req) => ({ text: `echo: ${lastUserText(req)}` }) });
    tg = await startFakeTelegram();
    const fakeTg = tg;
    fakeTg.hangRequests("sendMessage");
    const home = tempHome();
    writeConfig(home, {
      channels: {
        telegram: { enabled: true, token: fakeTg.token, allowFrom: [String(ALICE)], apiRoot: fakeTg.apiRoot },
      },
      runtime: { shutdownDeadlineS: 2 },
    });
    const env = llmEnv(home, llm.url);
    const kavilo = await startKavilo({ home, env: () => env, ready: /telegram: connected/ });
    fakeTg.sendText({ chatId: ALICE, from: ALICE, text: "hello" });
    await fakeTg.waitFor(() => fakeTg.sent().length === 1, 8000);

    const t0 = Date.now();
    const code = await kavilo.stop("SIGTERM", 30_000);
    const took = Date.now() - t0;
    expect(code).toBe(0);
    // shutdownDeadlineS 2 + SHUTDOWN_MARGIN_S 5 + process slack.
    expect(took).toBeLessThan(9000);
  }, 30_000);
});
