import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeLlm, lastUserText, type RecordedRequest, startFakeOpenAI } from "../fakes/openai-server.js";
import { cleanEnv, openaiEnv, runCli, tempHome } from "../helpers/cli.js";

// kavilo sessions list/show, agent --continue and --resume, through the built CLI.
let llm: FakeLlm;
beforeAll(async () => {
  llm = await startFakeOpenAI({
    respond: (req) => ({ text: `answer to ${lastUserText(req).split("\n")[0]}` }),
  });
});
afterAll(async () => llm?.close());

const userTexts = (req: RecordedRequest | undefined) =>
  ((req?.body ?? { messages: [] }) as { messages: { role: string; content: unknown }[] }).messages
    .filter((m) => m.role === "user")
    .map((m) => String(m.content));

describe("sessions", () => {
  const home = tempHome();
  const env = openaiEnv(home, "");
  beforeAll(() => {
    env.KAVILO_API_BASE = llm.url;
  });
  const cli = (args: string[]) => runCli(args, { env, input: "" });

  it("lists sessions with key, last activity, message count and first user line", async () => {
    expect((await cli(["sessions", "list"])).stdout).toContain("no sessions yet");
    expect((await cli(["agent", "-m", "plan the trip\nwith details"])).code).toBe(0);
    expect((await cli(["agent", "-m", "other topic", "-s", "work:notes"])).code).toBe(0);
    const r = await cli(["sessions", "list", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const { sessions } = JSON.parse(r.stdout) as {
      sessions: { key: string; lastActivity: string; messages: number; firstUserLine: string }[];
    };
    expect(sessions.map((s) => s.key)).toEqual(["work:notes", "cli:default"]);
    expect(sessions[1]).toMatchObject({ messages: 2, firstUserLine: "plan the trip" });
    expect(Number.isNaN(Date.parse(sessions[0]?.lastActivity ?? ""))).toBe(false);
    const table = await cli(["sessions", "list"]);
    expect(table.stdout.split("\n")[0]).toMatch(/^KEY\s+LAST ACTIVITY\s+MESSAGES\s+FIRST LINE$/);
    expect(table.stdout).toMatch(/cli:default\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+2\s+plan the trip/);
  });

  it("shows a transcript", async () => {
    const r = await cli(["sessions", "show", "cli:default"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("── you\nplan the trip\nwith details\n\n── assistant\nanswer to plan the trip\n");
    const missing = await cli(["sessions", "show", "nope"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('kavilo: no session "nope": see kavilo sessions list');
  });

  it("agent --continue picks the most recent terminal session, --resume a named one", async () => {
    const cont = await cli(["agent", "-m", "and the hotel?", "--continue"]);
    expect(cont.code, cont.stderr).toBe(0);
    expect(cont.stderr).toContain("continuing session cli:default (2 messages)");
    expect(userTexts(llm.requests.at(-1))).toEqual(["plan the trip\nwith details", "and the hotel?"]);

    const resume = await cli(["agent", "-m", "more notes", "--resume", "work:notes"]);
    expect(resume.code, resume.stderr).toBe(0);
    expect(userTexts(llm.requests.at(-1))).toEqual(["other topic", "more notes"]);

    const bad = await cli(["agent", "-m", "x", "--resume", "nope"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('no session "nope" to resume');
  });

  it("--continue with no terminal session says how to start one", async () => {
    const r = await runCli(["agent", "-m", "x", "--continue"], { env: cleanEnv(tempHome()), input: "" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no terminal session to continue yet");
  });
});
