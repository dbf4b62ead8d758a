import type { Logger } from "../../core/base/logger.js";
import type { Paths } from "../../core/base/paths.js";
import type { Config } from "../../core/config/schema.js";
import type { Refresher } from "../../refreshers/types.js";

export interface RefreshersInput {
  config: Config;
  paths: Paths;
  env: NodeJS.ProcessEnv;
  log: Logger;
}

/**
 * The background token refreshers `kavilo start` runs (Codex, Slack MCP, AWS SSO). None is built
 * yet: the refreshers' owner returns them from here (one per configured credential) and the
 * runtime hands them to the refresher runner.
 */
export function composeRefreshers(_input: RefreshersInput): Refresher[] {
  return [];
}
