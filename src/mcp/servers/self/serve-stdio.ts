import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { SelfDeps } from "./self-tool.js";
import { createSelfServer, type SelfServerInfo } from "./server.js";

export interface StdioOptions {
  stdin?: NodeJS.ReadableStream & { pause(): unknown };
  stdout?: NodeJS.WritableStream;
  /** Diagnostics; stdout carries the protocol only. Default: stderr. */
  log?: (line: string) => void;
}

/** Serves the self tools on stdin/stdout until the client closes stdin. */
export async function serveSelfOverStdio(
  deps: SelfDeps,
  info: SelfServerInfo,
  opts: StdioOptions = {},
): Promise<void> {
  const stdin = opts.stdin ?? process.stdin;
  const stdout = opts.stdout ?? process.stdout;
  const log = opts.log ?? ((line: string) => process.stderr.write(`kavilo mcp: ${line}\n`));
  const server = createSelfServer(deps, info);
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = resolve;
  });
  server.server.onerror = (err) => log(err.message);
  await server.connect(new StdioServerTransport(stdin as NodeJS.ReadStream, stdout as NodeJS.WriteStream));
  // The SDK's transport ignores end of input; a client that goes away closes stdin, so that is the end.
  const stop = () => void server.close().catch(() => {});
  stdin.once("end", stop);
  stdout.once("error", stop);
  await closed;
}
