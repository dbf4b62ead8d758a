// Timers for bench/floors.js: an MCP stdio server from spawn until its initialize answer, and bare node.
import { spawn } from "node:child_process";
import { BIN } from "./lib.js";

const INITIALIZE = `${JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "bench", version: "1" } },
})}\n`;

/** Milliseconds until the server's first stdout line (the initialize answer); then closes its stdin. */
export function untilInitialized(env, args = [BIN, "mcp", "serve", "self"]) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, args, {
      env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    let ms;
    child.stdout.on("data", (d) => {
      out += d;
      if (ms === undefined && out.includes("\n")) {
        ms = Number(process.hrtime.bigint() - start) / 1e6;
        if (!out.includes('"id":1')) reject(new Error(`unexpected first line: ${out}`));
        child.stdin.end();
      }
    });
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (ms === undefined) reject(new Error(`${args.join(" ")} exited ${code} before answering: ${err}`));
      else resolve(ms);
    });
    child.stdin.write(INITIALIZE);
  });
}

export function bareNode(env) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, ["-e", "0"], { env, stdio: "ignore" });
    child.on("error", reject);
    child.on("close", () => resolve(Number(process.hrtime.bigint() - start) / 1e6));
  });
}
