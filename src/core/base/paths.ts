import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";

/** `~` and `~/x` as the shell expands them; any other path is returned as is. */
export function expandHome(p: string, userHome = homedir()): string {
  if (p === "~") return userHome;
  if (p.startsWith("~/")) return join(userHome, p.slice(2));
  return p;
}

/** A file path from config.json: `~/` is the user's home, a relative path is under the kavilo home. */
export function configuredPath(path: string, home: string): string {
  const expanded = expandHome(path);
  return isAbsolute(expanded) ? expanded : resolve(home, expanded);
}

/** Every per-profile location. Nothing else in kavilo builds these paths by hand. */
export interface Paths {
  readonly home: string;
  readonly config: string;
  /** config.json as this build last validated it (core/config/validated-cache.ts); holds its secrets. */
  readonly configCache: string;
  readonly workspace: string;
  readonly sessions: string;
  readonly mcpAuth: string;
  readonly auth: string;
  readonly cronDir: string;
  readonly cronJobs: string;
  readonly media: string;
  readonly usage: string;
  readonly logs: string;
  readonly history: string;
  readonly lock: string;
  /** Chat messages accepted by `kavilo start` and not yet answered. */
  readonly inbox: string;
}

/**
 * Builds the paths of one profile home. `workspace` is the configured workspace
 * when one is set; sessions live inside the workspace, as the original does.
 */
export function makePaths(home: string, workspace?: string): Paths {
  const ws = workspace ?? join(home, "workspace");
  return {
    home,
    config: join(home, "config.json"),
    configCache: join(home, "cache", "config.json"),
    workspace: ws,
    sessions: join(ws, "sessions"),
    mcpAuth: join(home, "mcp-auth"),
    auth: join(home, "auth"),
    cronDir: join(home, "cron"),
    cronJobs: join(home, "cron", "jobs.json"),
    media: join(home, "media"),
    usage: join(home, "usage"),
    logs: join(home, "logs"),
    history: join(home, "history", "cli_history"),
    lock: join(home, "kavilo.lock"),
    inbox: join(home, "queue", "inbox.jsonl"),
  };
}
