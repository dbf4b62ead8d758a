import { join } from "node:path";
import { mcpLogin } from "../../src/auth/mcp/oauth-login.js";
import { makePaths } from "../../src/core/base/paths.js";
import { llmEnv, startKavilo } from "../e2e/start-harness.js";
import { followAuthorization } from "../fakes/oauth-server.js";
import { lastUserText, type RecordedRequest } from "../fakes/openai-server.js";
import { tempHome } from "./cli.js";

/**
 * A stand-in model for chat turns that call the fake MCP server "srv" (test/fakes/mcp-auth-server.ts):
 * "configure ..." calls its `configure` tool (a form), "who am i" its `whoami`; a tool result comes
 * back as "tool said: ...", anything else is echoed.
 */
export function srvToolModel(req: RecordedRequest) {
  const messages = (req.body as { messages: Array<{ role: string; content: unknown }> }).messages;
  const last = messages.at(-1);
  if (last?.role === "tool") return { text: `tool said: ${JSON.stringify(last.content)}` };
  const text = lastUserText(req);
  if (text.includes("configure")) return { toolCalls: [{ name: "mcp_srv_configure", args: {} }] };
  if (text.includes("who am i")) return { toolCalls: [{ name: "mcp_srv_whoami", args: {} }] };
  return { text: `echo: ${text}` };
}

/** Logs `home` in to the fake MCP server as alias "srv", the fake authorization page playing the browser. */
export async function loginSrv(home: string, mcpUrl: string): Promise<void> {
  await mcpLogin({
    alias: "srv",
    serverUrl: mcpUrl,
    paths: makePaths(join(home, ".kavilo")),
    openBrowser: false,
    redirectPort: 0,
    print: (line) => {
      if (line.startsWith("http") && line.includes("authorize")) void followAuthorization(line);
    },
  });
}

/**
 * `kavilo start` in a new temp home logged in to the fake MCP server as "srv" (an http server in the
 * config, next to `channels`), the model at `llmUrl`; resolves with the home once `ready` is on stderr.
 */
export async function startWithSrv(opts: {
  homePrefix: string;
  mcpUrl: string;
  llmUrl: string;
  channels: unknown;
  ready: RegExp;
}): Promise<string> {
  const home = tempHome(opts.homePrefix);
  await loginSrv(home, opts.mcpUrl);
  await startKavilo({
    home,
    config: { channels: opts.channels, tools: { mcpServers: { srv: { type: "http", url: opts.mcpUrl } } } },
    env: (h) => llmEnv(h, opts.llmUrl),
    ready: opts.ready,
  });
  return home;
}
