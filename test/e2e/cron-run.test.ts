import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeLlm, startFakeOpenAI } from "../fakes/openai-server.js";
import { type FakeTelegram, startFakeTelegram } from "../fakes/telegram-server.js";
import { runCli, tempHome } from "../helpers/cli.js";
import { llmEnv, writeConfig } from "./start-harness.js";

let llm: FakeLlm | undefined;
let tg: FakeTelegram | undefined;
afterEach(async () => {
  await llm?.close();
  await tg?.close();
});

const jobsOf = (home: string) =>
  (
    JSON.parse(readFileSync(join(home, ".kavilo", "cron", "jobs.json"), "utf8")) as {
      jobs: Array<{ id: string; lastStatus?: string; lastRunAt?: string }>;
    }
  ).jobs;

describe("kavilo cron run <id>", () => {
  it("runs the job now, delivers it through its channel and records the run", async () => {
    llm = await startFakeOpenAI({ steps: [{ text: "Here is your summary." }] });
    tg = await startFakeTelegram();
    const home = tempHome();
    writeConfig(home, {
      channels: { telegram: { enabled: true, token: tg.token, allowFrom: ["*"], apiRoot: tg.apiRoot } },
    });
    const env = llmEnv(home, llm.url);
    const add = await runCli(
      [
        "cron",
        "add",
        "--message",
        "summarize",
        "--cron",
        "0 9 * * *",
        "--channel",
        "telegram",
        "--to",
        "777",
      ],
      { env },
    );
    expect(add.code).toBe(0);
    const [job] = jobsOf(home);
    const r = await runCli(["cron", "run", job!.id], { env });
    expect(r.stderr).not.toMatch(/error|warning/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`ran cron job ${job!.id}`);
    const sent = tg.sent().filter((m) => String(m.chat_id) === "777");
    expect(sent.map((m) => String(m.text))).toEqual(["Here is your summary."]);
    expect(JSON.stringify(llm.requests[0]!.body)).toContain("summarize");
    expect(jobsOf(home)[0]).toMatchObject({ id: job!.id, lastStatus: "ok" });
  });

  it("a silent job prints its answer; a failed turn is recorded as an error, exit 1", async () => {
    llm = await startFakeOpenAI({ steps: [{ text: "silent answer" }, { fault: { status: 401 } }] });
    const home = tempHome();
    const env = llmEnv(home, llm.url);
    expect((await runCli(["cron", "add", "--message", "check", "--every", "3600"], { env })).code).toBe(0);
    const [job] = jobsOf(home);
    const ok = await runCli(["cron", "run", job!.id], { env });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("silent answer");
    const bad = await runCli(["cron", "run", job!.id], { env });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/failed: .*401/);
    expect(jobsOf(home)[0]?.lastStatus).toBe("error");
  });
});
