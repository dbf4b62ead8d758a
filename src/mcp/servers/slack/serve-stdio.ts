import { listSlackAliases } from "../../../auth/slack-mcp/token-file.js";
import type { Paths } from "../../../core/base/paths.js";
import { serveOverStdio } from "../self/serve-stdio.js";
import { createSlackServer } from "./server.js";
import { createSlackUserApi } from "./slack-api.js";

/** The alias `mcp serve slack` acts as: the one asked for, or the only one logged in. Throws one line. */
export async function pickSlackAlias(paths: Paths, asked?: string): Promise<string> {
  const aliases = await listSlackAliases(paths);
  if (asked) {
    if (!aliases.includes(asked)) {
      throw new Error(`no Slack token for alias "${asked}": run kavilo mcp slack login ${asked}`);
    }
    return asked;
  }
  if (aliases.length === 1 && aliases[0]) return aliases[0];
  if (aliases.length === 0)
    throw new Error("no Slack MCP alias is logged in: run kavilo mcp slack login <alias>");
  throw new Error(`several Slack MCP aliases are logged in (${aliases.join(", ")}): pass --alias`);
}

/**
 * Serves the Slack tools for one alias on stdin/stdout until the client closes stdin; stdout carries
 * only the protocol and a malformed line gets an error reply (the self server's transport).
 */
export async function serveSlackOverStdio(opts: {
  alias: string;
  paths: Paths;
  env: NodeJS.ProcessEnv;
  version: string;
}): Promise<{ rejected: number }> {
  const log = (line: string) => process.stderr.write(`kavilo mcp slack: ${line}\n`);
  const call = createSlackUserApi({ alias: opts.alias, paths: opts.paths, env: opts.env, log });
  return serveOverStdio(createSlackServer(call, { alias: opts.alias, version: opts.version }), { log });
}
