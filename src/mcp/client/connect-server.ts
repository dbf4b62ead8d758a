import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { Tool as McpListedTool } from "@modelcontextprotocol/sdk/types.js";
import { findMcpAuthRequired } from "../../auth/mcp/auth-required-error.js";
import type { Paths } from "../../core/base/paths.js";
import { kaviloVersion } from "../../core/base/version.js";
import type { McpServerConfig } from "../../core/config/schema.js";
import { createAuthFetch } from "./auth-fetch.js";
import { type CallRouter, createCallRouter, installElicitation } from "./elicitation.js";
import { readEnvFile } from "./env-file.js";
import { describeFailure, oneLine } from "./one-line.js";
import { minimalServerEnv } from "./stdio-env.js";

export interface ConnectDeps {
  paths: Paths;
  stderrLog: (line: string) => void;
  /** kavilo's own lines about the server (a token refresh that failed before a request). */
  log?: (line: string) => void;
  connectTimeoutMs: number;
  /** Where a stdio server's minimal env is taken from. */
  parentEnv: NodeJS.ProcessEnv;
  fetchFn?: FetchLike;
  /** Receives the shutdown of a server that failed to connect. */
  trackCleanup?: (done: Promise<void>) => void;
}

export interface ConnectedServer {
  client: Client;
  tools: McpListedTool[];
  /** Routes the server's requests (elicitation) to the tool call in flight. */
  router: CallRouter;
}

export function transportKind(config: McpServerConfig): "stdio" | "http" {
  return config.type === "http" ? "http" : "stdio";
}

/** Keeps the last stderr lines of a stdio server: the best explanation when it dies at start. */
function pipeStderr(
  alias: string,
  transport: StdioClientTransport,
  log: (line: string) => void,
): () => string {
  const tail: string[] = [];
  const stream = transport.stderr;
  if (stream instanceof Readable) {
    createInterface({ input: stream }).on("line", (line) => {
      log(`mcp ${alias}: ${line}`);
      tail.push(line);
      if (tail.length > 3) tail.shift();
    });
  }
  return () => tail.join(" | ");
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${Math.round(ms / 100) / 10} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function explain(err: unknown, config: McpServerConfig, stderrTail: string): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === "ENOENT" && config.type !== "http") return `command not found: ${config.command}`;
  const message = describeFailure(err);
  return stderrTail ? `${message} (stderr: ${oneLine(stderrTail, 120)})` : message;
}

async function listAllTools(client: Client, timeout: number): Promise<McpListedTool[]> {
  const tools: McpListedTool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor ? { cursor } : {}, { timeout });
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor);
  return tools;
}

/** A streamable-HTTP connect an older HTTP+SSE server refused: the MCP spec's cue to try SSE. */
class OlderSseServer extends Error {}

/** 400, 404 or 405 to the streamable POST: what an HTTP+SSE-only server answers at its URL. */
function refusedStreamablePost(err: unknown): boolean {
  return err instanceof StreamableHTTPError && (err.code === 400 || err.code === 404 || err.code === 405);
}

/**
 * Starts (stdio) or reaches (http) one server, initializes it and lists its tools. A url without
 * type "sse" is streamable HTTP; when that POST is refused as an older server refuses it, the
 * server's SSE stream is tried (the MCP spec's backwards compatibility, as Cursor and Cline do).
 */
export async function connectServer(
  alias: string,
  config: McpServerConfig,
  deps: ConnectDeps,
): Promise<ConnectedServer> {
  try {
    return await connectOnce(alias, config, deps);
  } catch (err) {
    if (!(err instanceof OlderSseServer) || config.type !== "http") throw err;
    try {
      return await connectOnce(alias, { ...config, transport: "sse" as const }, deps);
    } catch (sseErr) {
      // Not an SSE server either: the streamable error says more (unless SSE asked for a login).
      throw findMcpAuthRequired(sseErr) ?? new Error(err.message);
    }
  }
}

async function connectOnce(
  alias: string,
  config: McpServerConfig,
  deps: ConnectDeps,
): Promise<ConnectedServer> {
  // Form elicitation only; the SDK fills in the schema's defaults for fields an accepted answer leaves out.
  const client = new Client(
    { name: "kavilo", version: kaviloVersion() },
    { capabilities: { elicitation: { form: { applyDefaults: true } } } },
  );
  const router = createCallRouter();
  installElicitation(client, alias, router);
  let stderrTail = () => "";
  let transport: StdioClientTransport | StreamableHTTPClientTransport | SSEClientTransport;
  if (config.type === "http") {
    // type "sse" in config.json: the older HTTP+SSE transport, as Claude Desktop and Cursor still use.
    const Remote = config.transport === "sse" ? SSEClientTransport : StreamableHTTPClientTransport;
    transport = new Remote(new URL(config.url), {
      requestInit: { headers: config.headers },
      fetch: createAuthFetch({
        alias,
        auth: config.auth,
        headers: config.headers,
        paths: deps.paths,
        ...(deps.fetchFn ? { fetchFn: deps.fetchFn } : {}),
        ...(deps.log ? { log: deps.log } : {}),
      }),
    });
  } else {
    const stdio = new StdioClientTransport({
      command: config.command,
      args: config.args,
      env: minimalServerEnv(deps.parentEnv, {
        ...(config.envFile ? await readEnvFile(config.envFile, deps.paths.home) : {}),
        ...config.env,
      }),
      ...(config.cwd ? { cwd: config.cwd } : {}),
      stderr: "pipe",
    });
    stderrTail = pipeStderr(alias, stdio, deps.stderrLog);
    transport = stdio;
  }
  const work = (async () => {
    await client.connect(transport, { timeout: deps.connectTimeoutMs });
    return listAllTools(client, deps.connectTimeoutMs);
  })();
  try {
    const tools = await withTimeout(work, deps.connectTimeoutMs, "connect");
    return { client, tools, router };
  } catch (err) {
    // Not awaited here: the SDK gives a child that ignores stdin EOF seconds to exit, and one
    // hung server must not hold up the pool's connect. The pool awaits it on close().
    deps.trackCleanup?.(client.close().catch(() => {}));
    // Kept as is: the pool offers the model a login tool for exactly this failure.
    const authRequired = findMcpAuthRequired(err);
    if (authRequired) throw authRequired;
    const Failure =
      config.type === "http" && config.transport !== "sse" && refusedStreamablePost(err)
        ? OlderSseServer
        : Error;
    throw new Failure(explain(err, config, stderrTail()));
  }
}
