import type { Paths } from "../core/base/paths.js";
import { redactString } from "../core/base/redact.js";
import type { Config, McpServerConfig } from "../core/config/schema.js";
import type { Check, Probe } from "./types.js";

export interface McpRow {
  alias: string;
  transport: "stdio" | "http";
  enabled: boolean;
  auth: string | null;
  /** OAuth login state of an http server (kavilo mcp login); present/missing for a bearer or Slack token file. */
  authState?: { state: "none" | "missing" | "valid" | "expired" | "present"; expiresAt?: string };
  /** Why the auth state could not be read (a damaged token file), in one line. */
  authError?: string;
  /** Live check: connected (with its tool count) or failed (with the reason). */
  state?: "connected" | "failed" | "disabled" | "not-started";
  error?: string;
  toolCount?: number;
}

/** The configured servers without connecting: transport, enabled, auth provider. */
export function mcpRowsOffline(config: Config): McpRow[] {
  return Object.entries(config.tools.mcpServers).map(([alias, s]) => ({
    alias,
    transport: "url" in s ? ("http" as const) : ("stdio" as const),
    enabled: s.enabled,
    auth: s.auth?.provider ?? null,
  }));
}

/**
 * Connects the configured MCP servers once (concurrently, each within `connectTimeoutMs`) and
 * reports each one's state, tool count and what kavilo holds to authenticate to it.
 */
export async function mcpRows(config: Config, paths: Paths, connectTimeoutMs: number): Promise<McpRow[]> {
  const entries = Object.entries(config.tools.mcpServers);
  if (entries.length === 0) return [];
  const [{ mcpAuthState }, { oneLine }] = await Promise.all([
    import("../mcp/client/auth-state.js"),
    import("../mcp/client/one-line.js"),
  ]);
  // One server's damaged token file is that server's problem, not the whole report's.
  const authOf = async (alias: string, s: McpServerConfig) => {
    if (s.type !== "http") return {};
    const a = await mcpAuthState(alias, s, paths);
    if (a.state === "error") return { authError: redactString(oneLine(a.error)) };
    return {
      authState: { state: a.state, ...("expiresAt" in a && a.expiresAt ? { expiresAt: a.expiresAt } : {}) },
    };
  };
  const live = new Map<string, { state: NonNullable<McpRow["state"]>; error?: string; toolCount: number }>();
  if (entries.some(([, s]) => s.enabled)) {
    const { createMcpPool } = await import("../mcp/client/pool.js");
    const pool = createMcpPool({
      servers: config.tools.mcpServers,
      paths,
      log: () => {},
      stderrLog: () => {},
      connectTimeoutMs,
    });
    try {
      await pool.connect();
      for (const st of pool.status()) {
        live.set(st.alias, {
          state: st.state,
          toolCount: st.toolCount,
          ...(st.error ? { error: st.error } : {}),
        });
      }
    } finally {
      await pool.close();
    }
  }
  return Promise.all(
    entries.map(async ([alias, s]) => {
      const st = live.get(alias);
      return {
        alias,
        transport: ("url" in s ? "http" : "stdio") as "http" | "stdio",
        enabled: s.enabled,
        auth: s.auth?.provider ?? null,
        ...(await authOf(alias, s)),
        ...(st
          ? {
              state: st.state,
              toolCount: st.toolCount,
              ...(st.error ? { error: redactString(st.error) } : {}),
            }
          : {}),
      };
    }),
  );
}

/** One check per server: connected with n tools, failed (why), disabled; a damaged or expired login. */
export function mcpChecks(rows: readonly McpRow[]): Check[] {
  return rows.map((m): Check => {
    const id = `mcp.${m.alias}`;
    if (!m.enabled) return { id, area: "mcp", status: "skip", summary: `${m.alias}: disabled` };
    if (m.authError) {
      return {
        id,
        area: "mcp",
        status: "fail",
        summary: `${m.alias}: ${m.authError}`,
        fix: `kavilo mcp login --server ${m.alias} writes a new token file`,
      };
    }
    if (m.state === "connected") {
      const expired = m.authState?.state === "expired";
      return {
        id,
        area: "mcp",
        status: expired ? "warn" : "ok",
        summary: `${m.alias}: connected, ${m.toolCount ?? 0} tools${expired ? " (login expired; it refreshes on use)" : ""}`,
        data: { ...m },
      };
    }
    const login =
      m.auth === "slack" ? `kavilo mcp slack login ${m.alias}` : `kavilo mcp login --server ${m.alias}`;
    const needsLogin = /MCP_AUTH_REQUIRED|401|login/i.test(m.error ?? "") || m.authState?.state === "missing";
    return {
      id,
      area: "mcp",
      status: "fail",
      summary: `${m.alias}: ${m.state === "failed" ? (m.error ?? "failed") : (m.state ?? "not connected")}`,
      fix: needsLogin
        ? `log in: ${login}`
        : `check tools.mcpServers.${m.alias} (command or url) and that the server is up`,
      data: { ...m },
    };
  });
}

/** Connects every enabled server (in parallel, each within 5 s). */
export function mcpProbes(config: Config, paths: Paths): Probe[] {
  if (Object.keys(config.tools.mcpServers).length === 0) return [];
  return [
    {
      id: "mcp",
      area: "mcp",
      network: true,
      // Each server gets 5 s to connect; closing them takes a little more.
      timeoutMs: 6_500,
      run: async () => mcpChecks(await mcpRows(config, paths, 5_000)),
    },
  ];
}
