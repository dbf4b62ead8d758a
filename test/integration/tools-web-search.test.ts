import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configSchema } from "../../src/core/config/schema.js";
import { createBuiltinTools } from "../../src/core/tools/builtin.js";
import { ToolRegistry } from "../../src/core/tools/registry.js";

let server: Server;
let base: string;
const seen: Array<{ url: URL; headers: IncomingHttpHeaders }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    seen.push({ url, headers: req.headers });
    if (url.pathname !== "/res/v1/web/search") return res.writeHead(404).end();
    if (req.headers["x-subscription-token"] !== "brave-test-key") {
      return res.writeHead(401, { "content-type": "application/json" }).end('{"error":"unauthorized"}');
    }
    const count = Number(url.searchParams.get("count"));
    const results = Array.from({ length: 10 }, (_, i) => ({
      title: `Result <strong>${i + 1}</strong> for ${url.searchParams.get("q")}`,
      url: `https://example.com/${i + 1}`,
      description: `Snippet &amp; <strong>detail</strong> ${i + 1}`,
    })).slice(0, count);
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ web: { results } }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function registryWith(search: Record<string, unknown>) {
  const config = configSchema.parse({ tools: { web: { search } } });
  return new ToolRegistry(createBuiltinTools({ tools: config.tools, braveBase: base }));
}

const ctx = () => ({
  workspace: "/",
  restrictToWorkspace: true,
  signal: new AbortController().signal,
  sessionKey: "t",
});

describe("web_search", () => {
  it("queries the Brave API and numbers the results", async () => {
    const registry = registryWith({ apiKey: "brave-test-key", maxResults: 2 });
    const res = await registry.execute(
      { id: "1", name: "web_search", args: { query: "kavilo agent" } },
      ctx(),
    );
    expect(res.isError).toBe(false);
    expect(res.content).toBe(
      "1. Result 1 for kavilo agent\n   https://example.com/1\n   Snippet & detail 1\n\n" +
        "2. Result 2 for kavilo agent\n   https://example.com/2\n   Snippet & detail 2",
    );
    const last = seen.at(-1)!;
    expect(last.url.searchParams.get("q")).toBe("kavilo agent");
    expect(last.url.searchParams.get("count")).toBe("2");
  });

  it("lets the model ask for a count", async () => {
    const registry = registryWith({ apiKey: "brave-test-key" });
    const res = await registry.execute(
      { id: "1", name: "web_search", args: { query: "x", count: 4 } },
      ctx(),
    );
    expect(String(res.content)).toContain("4. Result 4");
    expect(String(res.content)).not.toContain("5. Result");
  });

  it("explains a missing key without calling the API", async () => {
    const before = seen.length;
    const res = await registryWith({}).execute({ id: "1", name: "web_search", args: { query: "x" } }, ctx());
    expect(res).toMatchObject({
      isError: true,
      content: "web_search needs a Brave Search API key: set BRAVE_API_KEY or tools.web.search.apiKey",
    });
    expect(seen.length).toBe(before);
  });

  it("reports a rejected key without echoing it", async () => {
    const registry = registryWith({ apiKey: "wrong-key-123" });
    const res = await registry.execute({ id: "1", name: "web_search", args: { query: "x" } }, ctx());
    expect(res).toMatchObject({
      isError: true,
      content: "Brave Search returned HTTP 401 (check the API key)",
    });
    expect(String(res.content)).not.toContain("wrong-key-123");
  });
});
