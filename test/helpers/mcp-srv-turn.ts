import { join } from "node:path";
import { mcpLogin } from "../../src/auth/mcp/oauth-login.js";
import { makePaths } from "../../src/core/base/paths.js";
import { followAuthorization } from "../fakes/oauth-server.js";
import { lastUserText, type RecordedRequest } from "../fakes/openai-server.js";

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
