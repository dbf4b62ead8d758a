import { createServer, type IncomingMessage } from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";

/**
 * A loopback web server with an open streamable-HTTP MCP endpoint at /mcp (one tool, no auth),
 * and /502, which answers every request like a proxy whose backend is down: an HTML page.
 */
export interface McpWeb {
  url: string;
  /** The clientInfo of every initialize request /mcp received. */
  clients: Array<{ name: string; version: string }>;
  close(): Promise<void>;
}

const gatewayPage = `<!DOCTYPE html>
<html>
<head><title>502 Bad Gateway</title>
<style>body { font-family: sans-serif; }</style></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>
`;

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? JSON.parse(text) : undefined;
}

export async function startMcpWeb(): Promise<McpWeb> {
  const clients: McpWeb["clients"] = [];
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/502") {
      res.writeHead(502, { "content-type": "text/html" }).end(gatewayPage);
      return;
    }
    if (path !== "/mcp") {
      res.writeHead(404).end();
      return;
    }
    // Stateless: a fresh server and transport per request, as the SDK's examples do.
    const mcp = new McpServer({ name: "open", version: "1" });
    mcp.registerTool("hello", { description: "says hello" }, async () => ({
      content: [{ type: "text", text: "hello" }],
    }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on("close", () => {
      void transport.close();
      void mcp.close();
    });
    await mcp.connect(transport);
    const body = req.method === "POST" ? await readJson(req) : undefined;
    const msg = body as { method?: string; params?: { clientInfo?: { name: string; version: string } } };
    if (msg?.method === "initialize" && msg.params?.clientInfo) clients.push(msg.params.clientInfo);
    await transport.handleRequest(req, res, body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    clients,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A loopback port nothing listens on (bound, then released), for connection-refused cases. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  const port = typeof address === "object" && address ? address.port : 0;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
