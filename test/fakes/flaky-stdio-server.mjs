// A stdio MCP server whose availability a test controls: it exits at once while the file named
// by FLAKY_FLAG says "down", and its `crash` tool kills the process mid-session.
import { appendFileSync, readFileSync } from "node:fs";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";

if (process.env.FLAKY_LOG) appendFileSync(process.env.FLAKY_LOG, "start\n");
let flag = "";
try {
  flag = readFileSync(process.env.FLAKY_FLAG ?? "", "utf8").trim();
} catch {}
if (flag === "down") {
  process.stderr.write("flaky: told to stay down\n");
  process.exit(1);
}
const server = new McpServer({ name: "flaky", version: "1" });
server.registerTool("ping", { description: "answers pong" }, async () => ({
  content: [{ type: "text", text: `pong ${process.pid}` }],
}));
server.registerTool("crash", { description: "exits the server" }, async () => {
  setTimeout(() => process.exit(3), 10);
  return { content: [{ type: "text", text: "bye" }] };
});
await server.connect(new StdioServerTransport());
