import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import { McpAuthRequiredError } from "../../auth/mcp/auth-required-error.js";
import { backoffDelay } from "../../core/base/backoff.js";
import type { Paths } from "../../core/base/paths.js";
import type { McpServerConfig } from "../../core/config/schema.js";
import type { Tool } from "../../core/tools/types.js";
import { type ConnectedServer, connectServer, transportKind } from "./connect-server.js";
import { createLoginRequiredTool } from "./login-required-tool.js";
import { createMcpTool } from "./mcp-tool.js";
import { mcpToolName } from "./tool-name.js";
import type { McpPool, McpServerStatus, McpStepUp } from "./types.js";

export type { McpPool, McpServerStatus } from "./types.js";

/** A failed server is tried again after this long, doubling per failure up to RETRY_MAX_MS. */
export const RETRY_MIN_MS = 30_000;
export const RETRY_MAX_MS = 5 * 60_000;

export interface McpPoolOptions {
  servers: Record<string, McpServerConfig>;
  paths: Paths;
  log?: (line: string) => void;
  /** Where stdio servers' stderr lines go; default `log`. */
  stderrLog?: (line: string) => void;
  /** Per-server connect budget; default the server's timeoutS. */
  connectTimeoutMs?: number;
  /** Source of a stdio server's minimal env; default process.env. */
  env?: NodeJS.ProcessEnv;
  fetchFn?: FetchLike;
  /** Milliseconds clock for the retry backoff; default Date.now. */
  now?: () => number;
  /** Interactive front-ends: a browser login for the larger scope a tool call was refused for; then one retry. */
  stepUp?: McpStepUp;
}

interface Entry {
  alias: string;
  config: McpServerConfig;
  status: McpServerStatus;
  client?: Client;
  tools: Tool[];
  failures: number;
  retryAt: number;
  /** The reason last told to the user, so a server failing the same way on every retry is told once. */
  lastWarned?: string;
}

export function createMcpPool(opts: McpPoolOptions): McpPool {
  const log = opts.log ?? (() => {});
  const now = opts.now ?? Date.now;
  const entries = new Map<string, Entry>();
  for (const [alias, config] of Object.entries(opts.servers)) {
    const state = config.enabled ? "not-started" : "disabled";
    entries.set(alias, {
      alias,
      config,
      status: { alias, transport: transportKind(config), state, toolCount: 0 },
      tools: [],
      failures: 0,
      retryAt: 0,
    });
  }
  /** Tool name -> alias of the server whose tool holds it, across connects and reconnects. */
  const owners = new Map<string, string>();
  let connecting: Promise<void> | undefined;
  const inFlight = new Set<string>();
  let closed = false;
  const cleanups: Promise<void>[] = [];

  function release(entry: Entry): void {
    for (const [name, alias] of owners) if (alias === entry.alias) owners.delete(name);
    entry.tools = [];
  }

  function fail(entry: Entry, error: string, tools: Tool[] = []): void {
    release(entry);
    entry.tools = tools;
    entry.failures += 1;
    entry.retryAt = now() + backoffDelay(entry.failures - 1, { baseMs: RETRY_MIN_MS, maxMs: RETRY_MAX_MS });
    entry.status = { ...entry.status, state: "failed", error, toolCount: 0 };
  }

  async function connectOne(entry: Entry): Promise<ConnectedServer | undefined> {
    const { alias, config } = entry;
    inFlight.add(alias);
    try {
      const connected = await connectServer(alias, config, {
        paths: opts.paths,
        stderrLog: opts.stderrLog ?? log,
        log,
        connectTimeoutMs: opts.connectTimeoutMs ?? config.timeoutS * 1000,
        parentEnv: opts.env ?? process.env,
        trackCleanup: (done) => cleanups.push(done),
        ...(opts.fetchFn ? { fetchFn: opts.fetchFn } : {}),
      });
      entry.client = connected.client;
      return connected;
    } catch (err) {
      const error = (err as Error).message;
      // The model gets one tool saying why this server's tools are missing and what fixes it.
      const stand = err instanceof McpAuthRequiredError ? [createLoginRequiredTool(alias, error)] : [];
      fail(entry, error, stand);
      if (entry.lastWarned !== error) log(`mcp: server "${alias}" failed: ${error}`);
      entry.lastWarned = error;
      return undefined;
    } finally {
      inFlight.delete(alias);
    }
  }

  function register(entry: Entry, connected: ConnectedServer): void {
    const { alias, config } = entry;
    release(entry);
    const listedNames = new Set(connected.tools.map((t) => t.name));
    for (const wanted of config.enabledTools ?? []) {
      if (!listedNames.has(wanted)) log(`mcp: enabledTools of ${alias} names unknown tool "${wanted}"`);
    }
    const allowed = config.enabledTools ? new Set(config.enabledTools) : undefined;
    for (const listed of connected.tools) {
      if (allowed && !allowed.has(listed.name)) continue;
      const name = mcpToolName(alias, listed.name);
      const owner = owners.get(name);
      if (owner) {
        log(
          `mcp: tool "${listed.name}" of server "${alias}" is named ${name}, already taken by "${owner}"; skipped`,
        );
        continue;
      }
      owners.set(name, alias);
      entry.tools.push(
        createMcpTool({
          name,
          alias,
          serverDescription: config.description,
          listed,
          client: connected.client,
          router: connected.router,
          ...(opts.stepUp ? { stepUp: opts.stepUp } : {}),
          callTimeoutMs: config.timeoutS * 1000,
        }),
      );
    }
    entry.failures = 0;
    delete entry.lastWarned;
    const { error: _gone, ...rest } = entry.status;
    entry.status = { ...rest, state: "connected", toolCount: entry.tools.length };
    connected.client.onclose = () => {
      if (entry.client !== connected.client || entry.status.state !== "connected") return;
      entry.client = undefined;
      fail(entry, "connection closed");
      entry.lastWarned = "connection closed";
      log(`mcp: server "${alias}" closed its connection; retrying on a later turn`);
    };
  }

  function due(entry: Entry, at: number): boolean {
    if (!entry.config.enabled) return false;
    if (entry.status.state === "not-started") return true;
    return entry.status.state === "failed" && at >= entry.retryAt;
  }

  return {
    connect() {
      closed = false;
      connecting ??= (async () => {
        const at = now();
        const batch = [...entries.values()].filter((e) => due(e, at));
        if (batch.length === 0) return;
        const results = await Promise.all(batch.map(async (e) => [e, await connectOne(e)] as const));
        // Named in config order once every server of the batch answered, so "the later one" of a
        // name collision does not depend on which server happened to connect first.
        for (const [entry, connected] of results) {
          if (!connected) continue;
          if (closed) cleanups.push(connected.client.close().catch(() => {}));
          else register(entry, connected);
        }
      })().finally(() => {
        connecting = undefined;
      });
      return connecting;
    },
    tools() {
      return [...entries.values()].flatMap((e) =>
        e.status.state === "connected" || e.status.state === "failed" ? e.tools : [],
      );
    },
    status() {
      return [...entries.values()].map((e) => ({ ...e.status }));
    },
    pending() {
      return [...inFlight];
    },
    async close() {
      closed = true;
      await connecting?.catch(() => {});
      await Promise.all([
        ...cleanups.splice(0),
        ...[...entries.values()].map(async (entry) => {
          const client = entry.client;
          entry.client = undefined;
          release(entry);
          entry.failures = 0;
          entry.retryAt = 0;
          if (entry.status.state !== "disabled")
            entry.status = { ...entry.status, state: "not-started", toolCount: 0 };
          delete entry.status.error;
          await client?.close().catch(() => {});
        }),
      ]);
    },
  };
}
