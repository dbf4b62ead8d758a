import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { McpServerConfig } from "../../core/config/schema.js";
import type { Paths } from "../../core/paths.js";
import type { Tool } from "../../core/tools/types.js";
import { type ConnectedServer, connectServer, transportKind } from "./connect-server.js";
import { createMcpTool } from "./mcp-tool.js";
import { mcpToolName } from "./tool-name.js";
import type { McpPool, McpServerStatus } from "./types.js";

export type { McpPool, McpServerStatus } from "./types.js";

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
}

interface Entry {
  status: McpServerStatus;
  client?: Client;
  tools: Tool[];
}

export function createMcpPool(opts: McpPoolOptions): McpPool {
  const log = opts.log ?? (() => {});
  const entries = new Map<string, Entry>();
  for (const [alias, config] of Object.entries(opts.servers)) {
    const state = config.enabled ? "not-started" : "disabled";
    entries.set(alias, {
      status: { alias, transport: transportKind(config), state, toolCount: 0 },
      tools: [],
    });
  }
  let connecting: Promise<void> | undefined;
  const cleanups: Promise<void>[] = [];

  async function connectOne(alias: string, config: McpServerConfig): Promise<ConnectedServer | undefined> {
    const entry = entries.get(alias)!;
    try {
      const connected = await connectServer(alias, config, {
        paths: opts.paths,
        stderrLog: opts.stderrLog ?? log,
        connectTimeoutMs: opts.connectTimeoutMs ?? config.timeoutS * 1000,
        parentEnv: opts.env ?? process.env,
        trackCleanup: (done) => cleanups.push(done),
        ...(opts.fetchFn ? { fetchFn: opts.fetchFn } : {}),
      });
      entry.client = connected.client;
      return connected;
    } catch (err) {
      const error = (err as Error).message;
      entry.status = { ...entry.status, state: "failed", error, toolCount: 0 };
      log(`mcp: server "${alias}" failed: ${error}`);
      return undefined;
    }
  }

  // Tools are named in config order once every server answered, so "the later one" of a
  // name collision does not depend on which server happened to connect first.
  function register(results: Array<[string, McpServerConfig, ConnectedServer | undefined]>): void {
    const owners = new Map<string, string>();
    for (const [alias, config, connected] of results) {
      if (!connected) continue;
      const entry = entries.get(alias)!;
      const allowed = config.enabledTools ? new Set(config.enabledTools) : undefined;
      for (const listed of connected.tools) {
        if (allowed && !allowed.has(listed.name)) continue;
        const name = mcpToolName(alias, listed.name);
        const owner = owners.get(name);
        if (owner) {
          log(
            `mcp: tool "${listed.name}" of server "${alias}" is named ${name}, already taken by ${owner}; skipped`,
          );
          continue;
        }
        owners.set(name, `"${alias}"`);
        entry.tools.push(
          createMcpTool({
            name,
            alias,
            serverDescription: config.description,
            listed,
            client: connected.client,
            callTimeoutMs: config.timeoutS * 1000,
          }),
        );
      }
      entry.status = { ...entry.status, state: "connected", toolCount: entry.tools.length };
      connected.client.onclose = () => {
        if (entry.status.state !== "connected") return;
        entry.status = { ...entry.status, state: "failed", error: "connection closed" };
        log(`mcp: server "${alias}" closed its connection`);
      };
    }
  }

  return {
    connect() {
      connecting ??= (async () => {
        const enabled = Object.entries(opts.servers).filter(([, config]) => config.enabled);
        const results = await Promise.all(
          enabled.map(
            async ([alias, config]) =>
              [alias, config, await connectOne(alias, config)] as [
                string,
                McpServerConfig,
                ConnectedServer | undefined,
              ],
          ),
        );
        register(results);
      })();
      return connecting;
    },
    tools() {
      return [...entries.values()].flatMap((e) => (e.status.state === "connected" ? e.tools : []));
    },
    status() {
      return [...entries.values()].map((e) => ({ ...e.status }));
    },
    async close() {
      await connecting?.catch(() => {});
      connecting = undefined;
      await Promise.all([
        ...cleanups.splice(0),
        ...[...entries.values()].map(async (entry) => {
          const client = entry.client;
          entry.client = undefined;
          if (entry.status.state !== "disabled")
            entry.status = { ...entry.status, state: "not-started", toolCount: 0 };
          delete entry.status.error;
          entry.tools = [];
          await client?.close().catch(() => {});
        }),
      ]);
    },
  };
}
