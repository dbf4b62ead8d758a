#!/usr/bin/env node
// The client under test for the official MCP conformance suite (`npx @modelcontextprotocol/conformance
// client --command "node test/conformance/client-driver.mjs" --scenario <name>`). The suite appends
// the scenario server's URL and sets MCP_CONFORMANCE_SCENARIO (and MCP_CONFORMANCE_CONTEXT with
// pre-registered client credentials). This script plays kavilo's user with the built CLI, in a
// fresh temporary home: `kavilo mcp login` for the auth scenarios (it is the browser, following
// the authorization redirect to the loopback), then `kavilo agent -m --yes` with a stand-in model
// that calls every tool the server offers. When the tool result says the login lacks a scope, it
// runs `kavilo mcp login` once more, as the message tells a user to, and retries once.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../bin/kavilo.js", import.meta.url));
const serverUrl = process.argv.at(-1) ?? "";
const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? "";
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? "{}");
const log = (line) => process.stderr.write(`driver: ${line}\n`);

/** Arguments for a tool from its JSON Schema: a number for numbers, a word for strings. */
function argsFor(schema) {
  const args = {};
  for (const [name, prop] of Object.entries(schema?.properties ?? {})) {
    if (prop.type === "number" || prop.type === "integer") args[name] = 2;
    else if (prop.type === "boolean") args[name] = true;
    else if (prop.type === "string") args[name] = "conformance";
  }
  return args;
}

/** An OpenAI-compatible stand-in model: first it calls every MCP tool, then it answers "done". */
async function startModel() {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      const request = JSON.parse(body || "{}");
      const afterTools = (request.messages ?? []).some((m) => m.role === "tool");
      const tools = (request.tools ?? [])
        .map((t) => t.function)
        .filter((f) => f.name.startsWith("mcp_conf_") && !f.name.endsWith("_login_required"));
      const calls = afterTools ? [] : tools;
      const delta = calls.length
        ? {
            role: "assistant",
            tool_calls: calls.map((f, index) => ({
              index,
              id: `call_${index}`,
              type: "function",
              function: { name: f.name, arguments: JSON.stringify(argsFor(f.parameters)) },
            })),
          }
        : { role: "assistant", content: "done" };
      const chunk = (d, finish) =>
        `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: d, finish_reason: finish }] })}\n\n`;
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(`${chunk(delta, null)}${chunk({}, calls.length ? "tool_calls" : "stop")}data: [DONE]\n\n`);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}/v1`, close: () => server.close() };
}

function kavilo(args, env, onStderrLine) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let pending = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
      pending += d;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) onStderrLine?.(line);
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** `kavilo mcp login`, following the authorization URL it prints as a browser would. */
async function login(env) {
  const extra = context.client_id
    ? ["--client-id", context.client_id, "--client-secret", context.client_secret]
    : [];
  let browsing;
  const result = await kavilo(
    ["mcp", "login", "--server", "conf", "--no-browser", "--port", "0", ...extra],
    env,
    (line) => {
      if (browsing || !/^https?:\/\//.test(line)) return;
      browsing = (async () => {
        const approval = await fetch(line, { redirect: "manual" });
        const location = approval.headers.get("location");
        if (location) await (await fetch(location)).text();
      })().catch((err) => log(`browser: ${err.message}`));
    },
  );
  await browsing;
  log(`mcp login exited ${result.code}`);
  if (result.code !== 0) process.stderr.write(result.stderr);
  return result.code === 0;
}

const home = mkdtempSync(join(tmpdir(), "kavilo-conformance-"));
const model = await startModel();
let exitCode = 1;
try {
  mkdirSync(join(home, ".kavilo"), { recursive: true });
  writeFileSync(
    join(home, ".kavilo", "config.json"),
    JSON.stringify({ tools: { mcpServers: { conf: { type: "http", url: serverUrl } } } }),
  );
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    LANG: "C.UTF-8",
    NO_COLOR: "1",
    KAVILO_PROVIDER: "openai",
    KAVILO_API_BASE: model.url,
    KAVILO_API_KEY: "conformance",
    KAVILO_MODEL: "m",
  };
  const auth = scenario.startsWith("auth/");
  if (!auth || (await login(env))) {
    const run = () => kavilo(["agent", "-m", "Call each MCP tool once.", "--yes"], env);
    let result = await run();
    if (auth && /run kavilo mcp login --server conf/.test(result.stdout + result.stderr)) {
      log("the tool result asks for a new login; logging in once more");
      if (await login(env)) result = await run();
    }
    const output = result.stdout + result.stderr;
    log(`agent exited ${result.code}`);
    process.stderr.write(output);
    exitCode = result.code === 0 && !/MCP_AUTH_REQUIRED|failed:/.test(output) ? 0 : 1;
  }
} finally {
  model.close();
  rmSync(home, { recursive: true, force: true });
}
process.exit(exitCode);
