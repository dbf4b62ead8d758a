/**
 * Step-up in `kavilo start`: a chat turn whose MCP tool call is refused with 403 insufficient_scope
 * gets no browser login (nobody is at the terminal); the tool result, and so the reply, says to run
 * `kavilo mcp login --server <alias>`, the demanded scope is recorded for that login, and the call
 * is sent once (no retry, no loop), each time it is asked for.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMcpTokenFile } from "../../src/auth/mcp/token-file.js";
import { makePaths } from "../../src/core/base/paths.js";
import { type McpAuthServer, startMcpAuthServer } from "../fakes/mcp-auth-server.js";
import { type FakeLlm, startFakeOpenAI } from "../fakes/openai-server.js";
import { type FakeTelegram, startFakeTelegram } from "../fakes/telegram-server.js";
import { srvToolModel, startWithSrv } from "../helpers/mcp-srv-turn.js";
import { killAll } from "./start-harness.js";

const ALICE = 1001;
let mcp: McpAuthServer;
let llm: FakeLlm;
let tg: FakeTelegram;
let home: string;

beforeAll(async () => {
  mcp = await startMcpAuthServer({ challengeScope: "basic", toolScopes: ["basic", "write"] });
  llm = await startFakeOpenAI({ respond: srvToolModel });
  tg = await startFakeTelegram();
  home = await startWithSrv({
    homePrefix: "kavilo-start-step-up-",
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

const replies = () =>
  tg
    .sent()
    .filter((p) => Number(p.chat_id) === ALICE && String(p.text).includes("tool said:"))
    .map((p) => String(p.text));

describe("kavilo start: a tool call refused for lack of scope", () => {
  it("answers with the mcp login --server line; no login is started and the call is not retried", {
    timeout: 30_000,
  }, async () => {
    tg.sendText({ chatId: ALICE, from: ALICE, text: "who am i" });
    await tg.waitFor(() => replies().length === 1);
    expect(replies()[0]).toContain(
      'the login lacks access this call needs (scope "basic write"); run kavilo mcp login --server srv to grant it',
    );
    expect(mcp.stats.insufficientScope).toBe(1);
    expect(mcp.stats.toolCalls).toBe(0);
    // Only the test's own login: start never authorizes by itself.
    expect(mcp.stats.authorizationScopes).toEqual(["basic"]);
    // Recorded for the login the line names, which asks for the union.
    const file = await readMcpTokenFile(makePaths(join(home, ".kavilo")), "srv");
    expect(file?.requiredScope).toBe("basic write");

    tg.sendText({ chatId: ALICE, from: ALICE, text: "who am i, again" });
    await tg.waitFor(() => replies().length === 2);
    expect(replies()[1]).toContain("run kavilo mcp login --server srv");
    expect(mcp.stats.insufficientScope).toBe(2);
    expect(mcp.stats.authorizationScopes).toEqual(["basic"]);
  });
});
