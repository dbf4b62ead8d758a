import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeLlm, lastUserText, startFakeOpenAI } from "../fakes/openai-server.js";
import { type FakeTelegram, startFakeTelegram } from "../fakes/telegram-server.js";
import { tempHome } from "../helpers/cli.js";
import { killAll, llmEnv, startKavilo, writeConfig } from "./start-harness.js";

let llm: FakeLlm | undefined;
let tg: FakeTelegram | undefined;

afterEach(async () => {
  killAll();
  await tg?.close();
  await llm?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("kavilo start heartbeat", () => {
  it("skips an empty HEARTBEAT.md, delivers an actionable one, and stays quiet on HEARTBEAT_OK", async () => {
    const fakeLlm = await startFakeOpenAI({
      respond: (req) =>
        lastUserText(req).includes("check the backups quietly")
          ? { text: "HEARTBEAT_OK" }
          : { text: "Time to water the plants." },
    });
    const fakeTg = await startFakeTelegram();
    llm = fakeLlm;
    tg = fakeTg;
    const home = tempHome();
    writeConfig(home, {
      channels: {
        telegram: { enabled: true, token: fakeTg.token, allowFrom: ["1001"], apiRoot: fakeTg.apiRoot },
      },
      runtime: {
        heartbeat: {
          enabled: true,
          intervalS: 1,
          model: "cheap-heartbeat-model",
          target: { channel: "telegram", chatId: "1001" },
        },
      },
    });
    const ws = join(home, ".kavilo", "workspace");
    mkdirSync(ws, { recursive: true });
    const file = join(ws, "HEARTBEAT.md");
    writeFileSync(file, "# Heartbeat\n\n<!-- add tasks below -->\n- [x] done already\n");
    await startKavilo({ home, env: (h) => llmEnv(h, fakeLlm.url), ready: /heartbeat: every 1 s/ });

    await sleep(3200); // three ticks
    expect(fakeLlm.requests).toHaveLength(0);

    writeFileSync(file, "# Heartbeat\n\n- [ ] remind me to water the plants\n");
    await fakeTg.waitFor(() => fakeTg.sent().length === 1, 4000);
    expect(fakeTg.sent()[0]).toMatchObject({ chat_id: "1001" });
    expect(String(fakeTg.sent()[0]?.text)).toContain("water the plants");
    expect((fakeLlm.requests[0]!.body as { model: string }).model).toBe("cheap-heartbeat-model");

    writeFileSync(file, "# Heartbeat\n\n- [ ] check the backups quietly\n");
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 4000;
      const poll = () => {
        if (fakeLlm.requests.some((r) => lastUserText(r).includes("check the backups quietly"))) resolve();
        else if (Date.now() > deadline) reject(new Error("no heartbeat turn for the second file"));
        else setTimeout(poll, 20);
      };
      poll();
    });
    await sleep(300);
    expect(fakeTg.sent()).toHaveLength(1);
  });

  it("with no target and no chat yet makes no model call and says so once", async () => {
    const fakeLlm = await startFakeOpenAI({ respond: () => ({ text: "Time to water the plants." }) });
    llm = fakeLlm;
    const home = tempHome();
    writeConfig(home, { runtime: { heartbeat: { enabled: true, intervalS: 1 } } });
    const ws = join(home, ".kavilo", "workspace");
    mkdirSync(ws, { recursive: true });
    writeFileSync(join(ws, "HEARTBEAT.md"), "# Heartbeat\n\n- [ ] remind me to water the plants\n");
    const kavilo = await startKavilo({
      home,
      env: (h) => llmEnv(h, fakeLlm.url),
      ready: /heartbeat: every 1 s/,
    });
    await kavilo.waitForStderr(/heartbeat: no target yet/, 4000);
    await sleep(2500); // more ticks
    expect(fakeLlm.requests).toHaveLength(0);
    expect(kavilo.stderr().match(/no target yet/g)).toHaveLength(1);
    expect(kavilo.stderr()).not.toMatch(/delivered a message/);
  });
});
