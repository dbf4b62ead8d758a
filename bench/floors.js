// `node bench/run.js floors`: what the required SDKs cost on their own, before any kavilo code, timed
// in the same alternating run as the kavilo commands they bound. Each floor is bundled and run the
// way dist/ is (one esbuild ESM bundle, the same banner and defines, compile cache on, warmed once),
// so it is the least a kavilo command on that path can cost. The budgets are kavilo ÷ its floor.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { instantServer, timeChild } from "./agent.js";
import { alternate, BIN, benchEnv, pairedRatio, ROOT } from "./lib.js";
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

/**
 * Rows for `targets` ([name, args, budget?, against?, short?]) timed in alternation with bare node;
 * a row with `against` is divided by that target's times (`short` names it in the row).
 */
async function measure(targets, timeOne) {
  const times = await alternate([["-e", "0"], ...targets.map((t) => t[1])], timeOne);
  const byName = new Map(targets.map((t, i) => [t[0], times[i + 1]]));
  return targets.map(([name, , budget, against, short]) => {
    const base = against ? byName.get(against) : times[0];
    const baseName = against ?? "node -e 0";
    const row = pairedRatio(byName.get(name), base);
    return {
      name: against ? `${name} ÷ ${short}` : `floor: ${name} ÷ node`,
      budget,
      ...row,
      detail: `medians: ${baseName} ${row.baseMs.toFixed(1)} ms, this ${row.targetMs.toFixed(1)} ms`,
    };
  });
}

/**
 * The budgeted rows (kavilo agent -m ÷ the openai-SDK floor, kavilo mcp serve self ÷ the McpServer
 * floor) and, as information, each floor against bare node, all from one alternating run.
 */
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
  const OPENAI = "openai SDK streams one answer";
  const MCP = "McpServer answers initialize";
  const oneShot = await measure(
    [
      ["Node loads undici (new Headers())", floor("headers.mjs")],
      ["bare fetch() of one SSE answer", floor("fetch.mjs")],
      [OPENAI, floor("openai.mjs")],
      ["kavilo agent -m", [BIN, "agent", "-m", "hi", "-q"], 1.35, OPENAI, "openai floor"],
    ],
    (args) => timeChild(args, env),
  );
  server.close();
  const mcp = await measure(
    [
      ["low-level Server answers initialize", floor("mcp-server.mjs")],
      [MCP, floor("mcp-mcpserver.mjs")],
      ["kavilo mcp serve self", [BIN, "mcp", "serve", "self"], 1.2, MCP, "McpServer floor"],
    ],
    (args) => (args[0] === "-e" ? bareNode(env) : untilInitialized(env, args)),
  );
  return [...oneShot, ...mcp];
}
