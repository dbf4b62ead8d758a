import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { DrainingTransport } from "./draining-transport.js";
import { LineStdioTransport } from "./line-transport.js";
import type { SelfDeps } from "./self-tool.js";
import { createSelfServer, type SelfServerInfo } from "./server.js";

export interface StdioOptions {
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  /** Diagnostics; stdout carries the protocol only. Default: stderr. */
  log?: (line: string) => void;
}

/**
 * Serves the self tools on stdin/stdout until the client closes stdin (after answering what it sent).
 * Returns how many input lines were rejected (not JSON, not JSON-RPC, too large): each got an error
 * reply and the session went on.
 */
export async function serveSelfOverStdio(
  deps: SelfDeps,
  info: SelfServerInfo,
  opts: StdioOptions = {},
): Promise<{ rejected: number }> {
  return serveOverStdio(createSelfServer(deps, info), opts);
}

/**
 * Serves any of kavilo's MCP servers on stdin/stdout, as serveSelfOverStdio does: the SDK's Server
 * (self) or an McpServer (slack).
 */
export async function serveOverStdio(
  served: Server | McpServer,
  opts: StdioOptions = {},
): Promise<{ rejected: number }> {
  const server = "server" in served ? served.server : served;
  const stdin = opts.stdin ?? process.stdin;
  const stdout = opts.stdout ?? process.stdout;
  const log = opts.log ?? ((line: string) => process.stderr.write(`kavilo mcp: ${line}\n`));
  // stdout carries the protocol only: a dependency's console.log would corrupt the stream.
  const restoreConsole = stdout === process.stdout ? routeConsoleTo(log) : () => {};
  const closed = new Promise<void>((resolve) => {
    server.onclose = resolve;
  });
  server.onerror = (err) => log(err.message);
  const lines = new LineStdioTransport(stdin, stdout, { log });
  const transport = new DrainingTransport(lines);
  await server.connect(transport);
  // The SDK's stdio transport ignores end of input; a client that goes away closes stdin.
  stdin.once("end", () => transport.endOfInput());
  // The reader is gone (EPIPE): nothing more can be answered.
  stdout.once("error", () => void server.close().catch(() => {}));
  await closed;
  restoreConsole();
  return { rejected: lines.rejected };
}

/** Sends console.log/info/debug to `log` (stderr) instead of stdout; returns the undo. */
export function routeConsoleTo(log: (line: string) => void): () => void {
  const saved = { log: console.log, info: console.info, debug: console.debug };
  // node:util only if something logs: importing it costs start-up time that is all an editor waits for.
  const toLog = (...args: unknown[]) => log(process.getBuiltinModule("node:util").format(...args));
  console.log = toLog;
  console.info = toLog;
  console.debug = toLog;
  return () => Object.assign(console, saved);
}
