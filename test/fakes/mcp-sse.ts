/**
 * A loopback MCP server on the older HTTP+SSE transport (GET /sse opens the stream, POST
 * /messages?sessionId= carries the requests), as Claude Desktop and Cursor configs still name with
 * type "sse". One tool; every request's Authorization header is recorded.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { SSEServerTransport } from "@modelcontextprotocol/sdk/server/sse.js";

export interface McpSse {
  /** The /sse endpoint, as config.json names it. */
  url: string;
  authorizations: string[];
  close(): Promise<void>;
}

export async function startMcpSse(): Promise<McpSse> {
  const authorizations: string[] = [];
  const transports = new Map<string, SSEServerTransport>();
  const server = createServer(async (req, res) => {
    authorizations.push(req.headers.authorization ?? "");
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.method === "GET" && url.pathname === "/sse") {
      const transport = new SSEServerTransport("/messages", res);
      transports.set(transport.sessionId, transport);
      res.on("close", () => transports.delete(transport.sessionId));
      const mcp = new McpServer({ name: "legacy-sse", version: "1" });
      mcp.registerTool("ping", { description: "answers pong" }, async () => ({
        content: [{ type: "text", text: "pong" }],
      }));
      await mcp.connect(transport);
      return;
    }
    if (req.method === "POST" && url.pathname === "/messages") {
      const transport = transports.get(url.searchParams.get("sessionId") ?? "");
      if (!transport) {
        res.writeHead(404).end();
        return;
      }
      await transport.handlePostMessage(req, res);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sse`,
    authorizations,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
