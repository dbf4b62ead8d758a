import type { Config } from "../config/schema.js";
import { createEditFileTool } from "./edit-file.js";
import { createGlobFilesTool } from "./glob-files.js";
import { createListDirectoryTool } from "./list-directory.js";
import { createReadFileTool } from "./read-file.js";
import { createShellTool } from "./shell.js";
import type { Tool } from "./types.js";
import { createWebFetchTool } from "./web-fetch.js";
import { createWebSearchTool } from "./web-search.js";
import { createWriteFileTool } from "./write-file.js";

export interface BuiltinToolsOptions {
  tools: Config["tools"];
  /** Read-only extra roots for read_file and list_directory (the profile's media/). */
  readRoots?: readonly string[];
  /** Folders no file tool may reach (the profile's sessions). */
  denyRoots?: readonly string[];
  /** Used by web_search; web_fetch has its own pinned connections for the address check. */
  fetchImpl?: typeof fetch;
  /** Overrides tools.web.search.apiBase (tests point it at a local fake). */
  braveBase?: string;
}

/**
 * The file, shell and web tools. `message`, `spawn`, `cron` and MCP tools need runtime pieces (bus,
 * scheduler, connections) and are added by their owners.
 */
export function createBuiltinTools(opts: BuiltinToolsOptions): Tool[] {
  const { exec, web } = opts.tools;
  const guard = {
    allowHardLinks: opts.tools.allowHardLinks,
    ...(opts.denyRoots ? { denyRoots: opts.denyRoots } : {}),
  };
  const readRoots = opts.readRoots ? { readRoots: opts.readRoots } : {};
  return [
    createReadFileTool({ ...guard, ...readRoots }),
    createWriteFileTool(guard),
    createEditFileTool(guard),
    createListDirectoryTool({ ...guard, ...readRoots }),
    createGlobFilesTool(guard),
    createShellTool({
      timeoutS: exec.timeout,
      scrubEnv: exec.scrubEnv,
      scrubEnvExtra: exec.scrubEnvExtra,
      scrubEnvKeep: exec.scrubEnvKeep,
    }),
    createWebFetchTool({ allowPrivate: web.fetch.allowPrivate, maxChars: web.fetch.maxChars }),
    createWebSearchTool({
      apiKey: web.search.apiKey,
      maxResults: web.search.maxResults,
      apiBase: opts.braveBase ?? web.search.apiBase,
      fetchImpl: opts.fetchImpl,
    }),
  ];
}
