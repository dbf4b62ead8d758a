import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { writeSlackApp, writeSlackToken } from "../../src/auth/slack-mcp/token-file.js";
import { makePaths } from "../../src/core/base/paths.js";
import { type FakeLlm, type RecordedRequest, startFakeOpenAI } from "../fakes/openai-server.js";
import { type FakeSlackOAuth, startFakeSlackOAuth } from "../fakes/slack-oauth-server.js";
import { type FakeTelegram, startFakeTelegram } from "../fakes/telegram-server.js";
import { tempHome } from "../helpers/cli.js";
import { killAll, llmEnv, startKavilo } from "./start-harness.js";

const ALICE = 1001;
let slack: FakeSlackOAuth | undefined;
let tg: FakeTelegram | undefined;
let llm: FakeLlm | undefined;
afterEach(async () => {
  killAll();
  await slack?.close();
  await tg?.close();
  await llm?.close();
});

type Msg = { role: string; content?: unknown };

/** Every user message makes the model read #general through the Slack MCP; the tool result is echoed. */
function respond(req: RecordedRequest) {
  const messages = (req.body as { messages: Msg[] }).messages;
  const last = messages.at(-1);
  if (last?.role === "tool") return { text: `read: ${JSON.stringify(last.content)}` };
  return {
    toolCalls: [
      { id: `call_${req.index}`, name: "mcp_work_slack_read_channel", args: { channel_id: "C0GEN" } },
    ],
  };
}

describe("kavilo start keeps a Slack MCP bearer fresh", () => {
  it("the refresher rotates an expiring token and the next MCP call, on the same connection, sends the new one", async () => {
    slack = await startFakeSlackOAuth();
    tg = await startFakeTelegram();
    llm = await startFakeOpenAI({ respond });
    const home = tempHome("kavilo-slack-start-");
    const paths = makePaths(join(home, ".kavilo"));
    const first = slack.issueGrant();
    await writeSlackApp(paths, "work", { client_id: slack.clientId, client_secret: slack.clientSecret });
    // Inside the 60 s leeway: the start-up pass must rotate it before any message is taken.
    await writeSlackToken(paths, "work", {
      access_token: first.access_token,
      refresh_token: first.refresh_token,
      expires_at: new Date(Date.now() + 20_000).toISOString(),
      team_id: "T0FAKE",
      user_id: "U0ME",
    });
    const tokenPath = join(paths.mcpAuth, "slack", "work.json");
    const onDisk = () => JSON.parse(readFileSync(tokenPath, "utf8")) as Record<string, string>;
    const kavilo = await startKavilo({
      home,
      config: {
        channels: {
          telegram: { enabled: true, token: tg.token, allowFrom: [String(ALICE)], apiRoot: tg.apiRoot },
        },
        tools: { mcpServers: { work: { url: slack.mcpUrl, auth: { provider: "slack", teamId: "T0FAKE" } } } },
      },
      env: (h) =>
        llmEnv(h, llm!.url, { KAVILO_SLACK_API_URL: slack!.apiUrl, KAVILO_SLACK_REFRESH_TICK_SECS: "1" }),
      ready: /telegram: connected as @kavilo_bot/,
    });
    const second = onDisk();
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.access_token).toBe(slack.currentAccessToken());
    expect(second.team_id).toBe("T0FAKE");

    const replies = () => tg!.sent().map((p) => String(p.text));
    tg.sendText({ chatId: ALICE, from: ALICE, text: "what is new?" });
    await tg
      .waitFor(() => replies().some((t) => t.startsWith("read:")), 15_000)
      .catch((err) => {
        throw new Error(`${err.message}\nreplies: ${replies().join(" / ")}\nstderr: ${kavilo.stderr()}`);
      });
    expect(replies().at(-1)).toContain("deploy is green");
    expect(slack.mcpBearers).not.toContain(first.access_token);
    expect(new Set(slack.mcpBearers)).toEqual(new Set([second.access_token]));

    // Time passes: the token nears its expiry again; the 1 s tick rotates it in the background.
    await writeSlackToken(paths, "work", {
      ...second,
      access_token: String(second.access_token),
      expires_at: new Date(Date.now() + 30_000).toISOString(),
    });
    await tg.waitFor(() => onDisk().access_token !== second.access_token, 10_000);
    const third = onDisk();
    expect(third.access_token).toBe(slack.currentAccessToken());
    const before = slack.mcpBearers.length;
    tg.sendText({ chatId: ALICE, from: ALICE, text: "and now?" });
    await tg.waitFor(() => replies().filter((t) => t.startsWith("read:")).length === 2, 15_000);
    expect(replies().at(-1)).toContain("deploy is green");
    // the same kavilo process, the same MCP client: the new file's token, no 401 on the way
    expect(new Set(slack.mcpBearers.slice(before))).toEqual(new Set([third.access_token]));
    expect(slack.calls.filter((c) => c.method === "oauth.v2.access")).toHaveLength(2);

    // A workspace admin revokes the app: the next call reaches the model as the login line.
    slack.revokeAll();
    tg.sendText({ chatId: ALICE, from: ALICE, text: "once more" });
    await tg.waitFor(() => replies().filter((t) => t.startsWith("read:")).length === 3, 15_000);
    expect(replies().at(-1)).toContain(
      "MCP_AUTH_REQUIRED:server=work; reason=invalid_token; run kavilo mcp slack login work --force",
    );
  }, 60_000);
});
