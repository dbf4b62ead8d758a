/**
 * An MCP server's question (elicitation) during a Telegram turn of `kavilo start`: it is asked, in
 * that chat, of the user who sent the message; their next message is the answer, not a new turn.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type McpAuthServer, startMcpAuthServer } from "../fakes/mcp-auth-server.js";
import { type FakeLlm, startFakeOpenAI } from "../fakes/openai-server.js";
import { type FakeTelegram, startFakeTelegram } from "../fakes/telegram-server.js";
import { srvToolModel, startWithSrv } from "../helpers/mcp-srv-turn.js";
import { killAll } from "./start-harness.js";

const ALICE = 1001;
let mcp: McpAuthServer;
let llm: FakeLlm;
let tg: FakeTelegram;

beforeAll(async () => {
  mcp = await startMcpAuthServer({});
  llm = await startFakeOpenAI({ respond: srvToolModel });
  tg = await startFakeTelegram();
  await startWithSrv({
    homePrefix: "kavilo-start-elicit-",
    mcpUrl: mcp.mcpUrl,
    llmUrl: llm.url,
    channels: {
      telegram: { enabled: true, token: tg.token, allowFrom: [String(ALICE)], apiRoot: tg.apiRoot },
    },
    ready: /telegram: connected as @kavilo_bot/,
  });
}, 30_000);

afterAll(async () => {
  killAll();
  await tg?.close();
  await llm?.close();
  await mcp?.close();
});

const texts = () =>
  tg
    .sent()
    .filter((p) => Number(p.chat_id) === ALICE)
    .map((p) => String(p.text));

describe("kavilo start: an MCP server's question in Telegram", () => {
  it("asks the sender in the chat; their reply answers it and the tool gets the values", {
    timeout: 30_000,
  }, async () => {
    tg.sendText({ chatId: ALICE, from: ALICE, text: "configure the report" });
    await tg.waitFor(() => texts().some((t) => t.includes("asks: Settings for the report")));
    const question = texts().find((t) => t.includes("asks: Settings for the report")) ?? "";
    expect(question).toContain("Format: pdf | html | md — default: html");
    const modelCalls = llm.requests.length;
    tg.sendText({ chatId: ALICE, from: ALICE, text: "Title: Monthly\nformat: md" });
    await tg.waitFor(() => texts().some((t) => t.includes("tool said:")));
    const answer = texts().find((t) => t.includes("tool said:")) ?? "";
    expect(answer).toContain(
      'elicitation accept: {"title":"Monthly","copies":2,"format":"md","urgent":false}',
    );
    // The reply was the answer, not a message of its own: one more model call (after the tool), no "echo:".
    expect(llm.requests.length).toBe(modelCalls + 1);
    expect(texts().some((t) => t.includes("echo: Title"))).toBe(false);
  });
});
