import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type FakeLlm, lastUserText, startFakeOpenAI } from "../fakes/openai-server.js";
import { type FakeTelegram, startFakeTelegram } from "../fakes/telegram-server.js";
import { tempHome } from "../helpers/cli.js";
import { savedMessages } from "../helpers/sessions.js";
import { killAll, llmEnv, startKavilo } from "./start-harness.js";

let llm: FakeLlm | undefined;
let tg: FakeTelegram | undefined;
afterAll(async () => {
  killAll();
  await tg?.close();
  await llm?.close();
});

describe("kavilo start: a turn aborted at shutdown", () => {
  it("is answered after the restart with the user's message stored once", async () => {
    let stall = true;
    llm = await startFakeOpenAI({
      respond: (req) => (stall ? { fault: "stall" } : { text: `echo: ${lastUserText(req)}` }),
    });
    tg = await startFakeTelegram();
    const home = tempHome("kavilo-replay-");
    const config = {
      channels: { telegram: { enabled: true, token: tg.token, allowFrom: ["1001"], apiRoot: tg.apiRoot } },
      runtime: { shutdownDeadlineS: 1 },
    };
    const env = (h: string) => llmEnv(h, llm!.url);
    const ready = /telegram: connected as @kavilo_bot/;
    const first = await startKavilo({ home, config, env, ready });
    tg.sendText({ chatId: 1001, from: 1001, text: "answer me after the restart" });
    await tg.waitFor(() => llm!.requests.length === 1, 10_000);
    expect(await first.stop("SIGTERM")).toBe(0);

    stall = false;
    const second = await startKavilo({ home, env, ready });
    const texts = () => tg!.sent().map((p) => String(p.text));
    await tg.waitFor(() => texts().includes("echo: answer me after the restart"), 15_000);
    await second.stop("SIGTERM");

    const messages = savedMessages(join(home, ".kavilo", "workspace", "sessions"), (n) =>
      n.startsWith("telegram_1001"),
    );
    expect(messages.filter((m) => m.role === "user")).toEqual([
      { role: "user", content: "answer me after the restart" },
    ]);
    expect(messages.at(-1)).toEqual({ role: "assistant", content: "echo: answer me after the restart" });
    // The model saw the question once, not the [aborted] placeholder.
    const last = llm.requests.at(-1)!.body as { messages: Array<{ role: string; content: unknown }> };
    expect(last.messages.filter((m) => m.role === "user")).toHaveLength(1);
    expect(JSON.stringify(last.messages)).not.toContain("[aborted]");
  }, 60_000);
});
