import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { registerTools } from "../../src/mcp/servers/register-tools.js";
import { runSelfTool } from "../../src/mcp/servers/self/result.js";
import type { SelfDeps } from "../../src/mcp/servers/self/self-tool.js";
import { SELF_INSTRUCTIONS, type SelfServerInfo } from "../../src/mcp/servers/self/server.js";
import { createSelfTools } from "../../src/mcp/servers/self/tools.js";

/**
 * The self server as it was built before it listed its tools from the catalog: an McpServer with the
 * live self tools registered. What `mcp serve self` must answer exactly as.
 */
export function referenceSelfServer(deps: SelfDeps, info: SelfServerInfo): McpServer {
  const server = new McpServer(
    { name: info.name ?? "kavilo", version: info.version },
    { instructions: SELF_INSTRUCTIONS },
  );
  registerTools(server, createSelfTools(deps), (tool, args) => runSelfTool(tool, args, deps), {
    openWorld: false,
  });
  return server;
}

/** A JSON-RPC request line's object; `id` undefined for a notification. */
export function rpc(id: number | undefined, method: string, params?: object): JSONRPCMessage {
  return {
    jsonrpc: "2.0",
    ...(id !== undefined ? { id } : {}),
    method,
    ...(params ? { params } : {}),
  } as JSONRPCMessage;
}

/**
 * Sends `messages` one at a time to a server connected over an in-memory pair and returns what came
 * back for each request (as JSON text would carry it), in order. Notifications get no answer.
 */
export async function rawExchange(
  server: { connect(transport: Transport): Promise<void> },
  messages: readonly JSONRPCMessage[],
): Promise<unknown[]> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const waiting = new Map<unknown, (reply: unknown) => void>();
  clientSide.onmessage = (reply) => {
    if ("id" in reply) waiting.get(reply.id)?.(JSON.parse(JSON.stringify(reply)));
  };
  await server.connect(serverSide);
  await clientSide.start();
  const replies: unknown[] = [];
  for (const message of messages) {
    if (!("id" in message)) {
      await clientSide.send(message);
      continue;
    }
    const reply = new Promise((resolve) => waiting.set(message.id, resolve));
    await clientSide.send(message);
    replies.push(await reply);
  }
  await clientSide.close();
  return replies;
}
