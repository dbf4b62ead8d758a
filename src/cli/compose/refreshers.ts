import type { Logger } from "../../core/base/logger.js";
import type { Paths } from "../../core/base/paths.js";
import type { Config } from "../../core/config/schema.js";
import type { RefresherRunner } from "../../refreshers/runner.js";
import type { Refresher } from "../../refreshers/types.js";

export interface RefreshersInput {
  config: Config;
  paths: Paths;
  env: NodeJS.ProcessEnv;
  log: Logger;
}

/** The background token refreshers `kavilo start` runs: Codex, AWS SSO and Slack MCP. */
export async function composeRefreshers(input: RefreshersInput): Promise<Refresher[]> {
  const { config, paths, env } = input;
  const [
    { createCodexRefresher },
    { createAwsSsoRefresher },
    { createSlackMcpRefresher },
    { slackEndpoints },
  ] = await Promise.all([
    import("../../refreshers/codex.js"),
    import("../../refreshers/aws-sso.js"),
    import("../../refreshers/slack-mcp.js"),
    import("../../auth/slack-mcp/endpoints.js"),
  ]);
  return [
    createCodexRefresher({ env, config: config.codex }),
    createAwsSsoRefresher({ env, config: config.aws }),
    createSlackMcpRefresher({
      servers: () => config.tools.mcpServers,
      paths,
      env,
      apiUrl: slackEndpoints(env).apiUrl,
    }),
  ];
}

/**
 * Builds the refreshers and runs each enabled one once (the caller awaits this before the channels
 * take messages), then every interval; the state goes to `<home>/refreshers.json` for `status`.
 */
export async function startRefreshers(input: RefreshersInput): Promise<RefresherRunner> {
  const [{ createRefresherRunner }, { refresherStatePath }] = await Promise.all([
    import("../../refreshers/runner.js"),
    import("../../refreshers/state.js"),
  ]);
  const runner = createRefresherRunner({
    refreshers: await composeRefreshers(input),
    log: input.log,
    statePath: refresherStatePath(input.paths.home),
  });
  await runner.start();
  return runner;
}
