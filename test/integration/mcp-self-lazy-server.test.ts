import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { selfDepsOf } from "../../src/cli/compose/self-deps.js";
import { createContext } from "../../src/cli/context.js";
import { resolveHome } from "../../src/core/home.js";
import type { SelfDeps } from "../../src/mcp/servers/self/self-tool.js";
import { createSelfServer } from "../../src/mcp/servers/self/server.js";
import { type FakeOAuthServer, startFakeOAuthServer } from "../fakes/oauth-server.js";
import { cleanEnv, tempHome } from "../helpers/cli.js";
import { rawExchange, referenceSelfServer, rpc } from "../helpers/mcp-self-reference.js";
import { FIXTURE_NOW, SECRETS, SESSION_KEY, writeFixtureHome } from "./mcp-self-home.js";

// createSelfServer lists the self tools from the catalog and loads them on the first call, on the SDK's
// low-level Server; clients must see exactly what the McpServer it replaced answered.

let fake: FakeOAuthServer;
let deps: SelfDeps;

beforeEach(async () => {
  fake = await startFakeOAuthServer();
  const userHome = tempHome("kavilo-mcp-self-lazy-");
  const paths = await writeFixtureHome(userHome, { oauthMcpUrl: fake.mcpUrl });
  const env = cleanEnv(userHome, { KAVILO_HOME: paths.home, OPENAI_API_KEY: SECRETS.envOpenai });
  const ctx = await createContext(resolveHome({ env, userHome }), env, false);
  deps = { ...selfDepsOf(ctx), now: () => FIXTURE_NOW };
});

afterEach(async () => {
  await fake.close();
});

const INFO = { version: "0.0.0-test" };
const INITIALIZE = rpc(1, "initialize", {
  protocolVersion: "2025-06-18",
  capabilities: {},
  clientInfo: { name: "t", version: "1" },
});
const call = (id: number, params: object) => rpc(id, "tools/call", params);

describe("the self server answers as the McpServer with the live self tools did", () => {
  it("initialize, tools/list, calls (good, invalid, failing, unknown) and other methods, byte for byte", async () => {
    const session = [
      INITIALIZE,
      rpc(undefined, "notifications/initialized"),
      rpc(2, "tools/list"),
      call(3, { name: "no_such_tool", arguments: {} }),
      call(4, { name: "read_session", arguments: { key: 42 } }),
      call(5, { name: "read_session", arguments: {} }),
      call(6, { name: "read_session" }),
      call(7, { name: "read_session", arguments: { key: "cli:none" } }),
      call(8, { name: "read_session", arguments: { key: SESSION_KEY, limit: 2, extra: true } }),
      call(9, { name: "list_cron_jobs", arguments: {} }),
      call(10, { name: "usage_summary" }),
      call(11, { arguments: {} }),
      call(12, { name: "list_channels", arguments: {}, task: { ttl: 1000 } }),
      rpc(13, "ping"),
      rpc(14, "kavilo/unknown"),
      rpc(15, "resources/list"),
      rpc(16, "prompts/list"),
      rpc(17, "tools/list", { cursor: "x" }),
    ];
    const lazy = await rawExchange(createSelfServer(deps, INFO), session);
    const reference = await rawExchange(referenceSelfServer(deps, INFO), session);
    expect(lazy).toEqual(reference);
    expect(JSON.stringify(lazy)).toBe(JSON.stringify(reference));
    // Not vacuous: the answers are the ones that matter.
    const byId = new Map(lazy.map((r) => [(r as { id: number }).id, r as Record<string, unknown>]));
    expect(byId.get(1)).toMatchObject({
      result: { capabilities: { tools: { listChanged: true } }, serverInfo: { name: "kavilo" } },
    });
    expect((byId.get(2)?.result as { tools?: unknown[] } | undefined)?.tools).toHaveLength(10);
    expect(byId.get(3)).toMatchObject({
      result: { isError: true, content: [{ text: "MCP error -32602: Tool no_such_tool not found" }] },
    });
    expect(byId.get(4)).toMatchObject({
      result: {
        isError: true,
        content: [
          {
            text: expect.stringMatching(
              /^MCP error -32602: Input validation error: Invalid arguments for tool read_session: /,
            ),
          },
        ],
      },
    });
    expect(byId.get(7)).toMatchObject({ result: { isError: true } });
    expect(byId.get(8)).toMatchObject({
      result: { content: [{ text: expect.stringContaining(SESSION_KEY) }] },
    });
    expect(byId.get(8)?.result).not.toHaveProperty("isError");
    // No tool name: the request fails the SDK's own check, before any tool is looked up.
    expect(byId.get(11)).toMatchObject({ error: { code: -32603 } });
    expect(byId.get(14)).toMatchObject({ error: { code: -32601 } });
    expect(byId.get(15)).toMatchObject({ error: { code: -32601 } });
  });
});
