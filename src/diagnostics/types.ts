import type { Paths } from "../core/base/paths.js";
import type { LoadedConfig } from "../core/config/load.js";
import type { Config } from "../core/config/schema.js";
import type { ResolvedHome } from "../core/home.js";

export type CheckStatus = "ok" | "warn" | "fail" | "skip";

export type CheckArea =
  | "system"
  | "home"
  | "config"
  | "provider"
  | "credentials"
  | "channels"
  | "mcp"
  | "refreshers"
  | "cron"
  | "tools"
  | "service";

/**
 * A safe, reversible repair `kavilo doctor --fix` may make: a file or folder mode, the workspace and
 * its templates, a stale lock, a config.json whose unknown keys validation strips (after a backup).
 */
export type Repair =
  | { kind: "chmod"; path: string; mode: number }
  | { kind: "workspace"; dir: string; missing: string[] }
  | { kind: "stale-lock"; path: string; pid: number | null }
  | { kind: "migrate-config"; path: string; cleaned: unknown };

/** One finding. A value: nothing here prints; `status`, `doctor` and the self server render these. */
export interface Check {
  /** Stable, e.g. `config.file`, `channels.telegram`, `mcp.github`. */
  id: string;
  area: CheckArea;
  status: CheckStatus;
  /** One line: what was found. Never a secret. */
  summary: string;
  /** One line: what to do about a warn or fail. */
  fix?: string;
  /** What `doctor --fix` can do about it by itself. */
  repair?: Repair;
  /** Details for the renderers that show more than a line (status' JSON). */
  data?: Record<string, unknown>;
}

/** What the checks read: the resolved home, the environment and config.json with env overlays. */
export interface DiagnosticsContext {
  home: ResolvedHome;
  /** Paths with the default workspace. */
  basePaths: Paths;
  env: NodeJS.ProcessEnv;
  /** Throws ConfigError for a config.json that cannot be used. */
  config(): { config: Config; loaded: LoadedConfig; applied: string[]; paths: Paths };
}

/** A check (or a family of them) as the runner starts it: with a time budget and a cancel signal. */
export interface Probe {
  /** The id of the check, or of the family (`mcp`): a timeout is reported under it. */
  id: string;
  area: CheckArea;
  /** Talks over the network: bounded by the network timeout (5 s) and run in parallel with the rest. */
  network: boolean;
  /** Some probes (MCP servers, each with its own connect timeout) need a little more than the default. */
  timeoutMs?: number;
  run(signal: AbortSignal): Promise<Check | Check[]>;
}
