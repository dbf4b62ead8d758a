// `node bench/run.js floors`: what the required SDKs cost on their own, before any kavilo code, as
// ratios to bare `node -e 0` in the same run. Each floor is bundled and run the way dist/ is (one
// esbuild ESM bundle, compile cache on), so it is the least a kavilo command on that path can cost.
// Rows are printed against the budget of the kavilo path they bound.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { instantServer, timeChild } from "./agent.js";
import { BIN, benchEnv, median, ROOT } from "./lib.js";
import { bareNode, untilInitialized } from "./mcp.js";

const OUT = join(ROOT, "build", "bench", "floors");

const ENTRIES = {
  // Node's Headers, Request, Response and fetch all load its bundled undici (HTTP/1, HTTP/2, proxy
  // agents) on first touch; the openai SDK builds a Headers for every request.
  "headers.mjs": "new Headers();",
  "fetch.mjs": `const r = await fetch(process.env.FLOOR_URL + "/chat/completions", { method: "POST", body: "{}" });
for await (const _ of r.body);`,
  "openai.mjs": `import OpenAI from "openai";
const client = new OpenAI({ baseURL: process.env.FLOOR_URL, apiKey: "k" });
const stream = await client.chat.completions.create({
  model: "m", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "hi" }],
});
for await (const chunk of stream) { const t = chunk.choices[0]?.delta?.content; if (t) process.stdout.write(t); }`,
  "mcp-server.mjs": `import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
await new Server({ name: "floor", version: "1" }, { capabilities: { tools: {} } }).connect(new StdioServerTransport());`,
  "mcp-mcpserver.mjs": `import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
await new McpServer({ name: "floor", version: "1" }).connect(new StdioServerTransport());`,
};

/** Bundles each entry like scripts/build.mjs does, plus a runner that turns the compile cache on first. */
async function bundleFloors() {
  mkdirSync(OUT, { recursive: true });
  const files = {};
  for (const [name, code] of Object.entries(ENTRIES)) {
    const src = join(OUT, `src-${name}`);
    writeFileSync(src, code);
    files[name] = join(OUT, name);
    await build({
      entryPoints: [src],
      outfile: files[name],
      bundle: true,
      format: "esm",
      platform: "node",
      target: "node22",
      define: { "process.env.NODE_ENV": '"production"' },
      banner: {
        js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);",
      },
      minifyWhitespace: true,
      minifySyntax: true,
      absWorkingDir: ROOT,
      logLevel: "error",
    });
  }
  const runner = join(OUT, "run.mjs");
  writeFileSync(
    runner,
    'import m from "node:module"; m.enableCompileCache?.(); await import(process.argv[2]);\n',
  );
  return { runner, files };
}

async function ratios(env, targets, timeOne) {
  for (const t of targets) await timeOne(t.args); // warm the compile cache and the file system
  const base = [];
  const times = targets.map(() => []);
  for (let i = 0; i < 15; i++) {
    base.push(await bareNode(env));
    for (const [j, t] of targets.entries()) times[j].push(await timeOne(t.args));
  }
  const baseMs = median(base);
  return targets.map((t, j) => {
    const targetMs = median(times[j]);
    return { name: t.name, budget: t.budget, ratio: targetMs / baseMs, baseMs, targetMs };
  });
}

export async function run() {
  const { runner, files } = await bundleFloors();
  const server = await instantServer();
  const url = `http://127.0.0.1:${server.address().port}/v1`;
  const env = benchEnv({
    FLOOR_URL: url,
    KAVILO_PROVIDER: "openai",
    KAVILO_API_BASE: url,
    KAVILO_API_KEY: "k",
    KAVILO_MODEL: "m",
  });
  const floor = (file) => [runner, files[file]];
  const oneShot = await ratios(
    env,
    [
      { name: "floor: Node loads undici (new Headers())", budget: 2.5, args: floor("headers.mjs") },
      { name: "floor: bare fetch() of one SSE answer", budget: 2.5, args: floor("fetch.mjs") },
      { name: "floor: openai SDK streams one answer", budget: 2.5, args: floor("openai.mjs") },
      { name: "kavilo agent -m (same fake)", budget: 2.5, args: [BIN, "agent", "-m", "hi", "-q"] },
    ],
    (args) => timeChild(args, env),
  );
  server.close();
  const mcp = await ratios(
    env,
    [
      { name: "floor: MCP SDK Server + stdio, initialize", budget: 2, args: floor("mcp-server.mjs") },
      { name: "floor: MCP SDK McpServer + stdio, initialize", budget: 2, args: floor("mcp-mcpserver.mjs") },
      { name: "kavilo mcp serve self, initialize", budget: 2, args: [BIN, "mcp", "serve", "self"] },
    ],
    (args) => untilInitialized(env, args),
  );
  return [...oneShot, ...mcp];
}
