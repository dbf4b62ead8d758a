import * as z from "zod";
import type { Paths } from "../../../core/base/paths.js";
import type { Tool } from "../../../core/tools/types.js";
import { runSlackTool } from "./run-tool.js";
import { createSlackUserApi, type SlackCall } from "./slack-api.js";
import { slackTools } from "./tools.js";

export const SLACK_AGENT_TOOL_PREFIX = "slack_user_";

export interface SlackAgentToolsDeps {
  /** The logged-in aliases (token files); at least one. */
  aliases: readonly string[];
  paths: Paths;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}

/**
 * The `mcp serve slack` tools in-process for `kavilo agent` and `kavilo start`
 * (`slack_user_whoami`, `slack_user_channel_history`, ...), acting as the user of an alias.
 * With several aliases each tool takes `alias`; with one it is implied.
 */
export function slackToolsAsAgentTools(deps: SlackAgentToolsDeps): Tool[] {
  const [first, ...rest] = deps.aliases;
  if (!first) return [];
  const calls = new Map<string, SlackCall>();
  const callFor = (alias: string) => {
    let call = calls.get(alias);
    if (!call) {
      call = createSlackUserApi({ alias, paths: deps.paths, env: deps.env, log: deps.log });
      calls.set(alias, call);
    }
    return call;
  };
  const several = rest.length > 0;
  const aliasParam = z.enum([first, ...rest]).describe("Which Slack MCP alias (workspace) to act in");
  return slackTools.map((tool): Tool => {
    const parameters = several ? tool.input.extend({ alias: aliasParam }) : tool.input;
    const who = several
      ? `the user's Slack account (alias: ${deps.aliases.join(", ")})`
      : `the user's Slack account "${first}"`;
    return {
      name: `${SLACK_AGENT_TOOL_PREFIX}${tool.name}`,
      description: `${tool.description} Acts as ${who}.`,
      parameters,
      capabilities: { readOnly: tool.readOnly, sideEffect: !tool.readOnly },
      async run(args) {
        const { alias = first, ...rest } = args as { alias?: string } & Record<string, unknown>;
        const outcome = await runSlackTool(tool, rest, callFor(alias));
        return { content: outcome.text, ...(outcome.isError ? { isError: true } : {}) };
      },
    };
  });
}
