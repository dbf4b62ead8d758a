import { glob, realpath } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import * as z from "zod";
import { defineTool, ToolError } from "./types.js";
import { displayPath, isInside, resolveWorkspacePath } from "./workspace-guard.js";

export interface GlobFilesToolOptions {
  /** Most paths returned. */
  maxResults?: number;
  homeDir?: string;
}

const DEFAULT_MAX_RESULTS = 500;

const parameters = z.object({
  pattern: z.string().min(1).describe('Glob pattern relative to the search directory, e.g. "src/**/*.ts"'),
  path: z.string().optional().describe('Directory to search from, relative to the workspace (default ".")'),
});

export function createGlobFilesTool(options: GlobFilesToolOptions = {}) {
  const maxResults = options.maxResults ?? DEFAULT_MAX_RESULTS;
  return defineTool({
    name: "glob_files",
    description: 'Find files by glob pattern (e.g. "**/*.md"). Paths are returned relative to the workspace.',
    parameters,
    capabilities: { readOnly: true },
    async run(args, ctx) {
      const restrict = ctx.restrictToWorkspace;
      // Brace alternatives count as segments too: "{..,x}/y" climbs out like "../y".
      if (restrict && (isAbsolute(args.pattern) || args.pattern.split(/[\\/{},]/).includes(".."))) {
        throw new ToolError(
          `Pattern "${args.pattern}" reaches outside the workspace; tools.restrictToWorkspace is on`,
        );
      }
      const base = await resolveWorkspacePath(args.path ?? ".", {
        workspace: ctx.workspace,
        restrictToWorkspace: restrict,
        homeDir: options.homeDir,
      });
      const realWorkspace = await realpath(ctx.workspace).catch(() => ctx.workspace);
      const found: string[] = [];
      let truncated = false;
      for await (const match of glob(args.pattern, { cwd: base })) {
        if (ctx.signal.aborted) throw new ToolError("glob_files was aborted");
        const full = isAbsolute(match) ? match : join(base, match);
        // `**` does not follow symlinks, but an explicit "link/*" does: check where each match really is.
        if (restrict) {
          if (!isInside(base, full)) continue;
          const real = await realpath(full).catch(() => undefined);
          if (real === undefined || !isInside(realWorkspace, real)) continue;
        }
        if (found.length === maxResults) {
          truncated = true;
          break;
        }
        found.push(displayPath(full, ctx.workspace));
      }
      if (found.length === 0) return `No files match ${args.pattern}`;
      found.sort();
      if (truncated) found.push(`[more matches not shown; cap is ${maxResults}]`);
      return found.join("\n");
    },
  });
}
