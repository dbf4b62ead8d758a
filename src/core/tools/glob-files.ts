import { glob, realpath } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import * as z from "zod";
import { defineTool, ToolError } from "./types.js";
import { allowed, inDir, openDirChecked } from "./verified-fs.js";
import {
  displayPath,
  type FileToolGuard,
  fenceOf,
  fsToolError,
  guardOptions,
  isInside,
  resolveWorkspacePath,
} from "./workspace-guard.js";

export interface GlobFilesToolOptions extends FileToolGuard {
  /** Most paths returned. */
  maxResults?: number;
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
      const guard = guardOptions({ ...options, readRoots: undefined }, ctx);
      const base = await resolveWorkspacePath(args.path ?? ".", guard);
      const fence = await fenceOf(guard, displayPath(base, ctx.workspace), false);
      // Searched from the folder that was opened and checked; each match is checked where it really is.
      const opened = await openDirChecked(base, fence).catch((err: unknown) => {
        throw fsToolError(err, fence.shown);
      });
      const found: string[] = [];
      let truncated = false;
      try {
        // Unrestricted, a pattern may climb out with "..", which a /proc folder name cannot.
        const cwd = restrict ? inDir(opened) : base;
        for await (const match of glob(args.pattern, { cwd })) {
          if (ctx.signal.aborted) throw new ToolError("glob_files was aborted");
          const full = isAbsolute(match) ? match : join(base, match);
          if (restrict && !isInside(base, full)) continue;
          // `**` does not follow symlinks, but an explicit "link/*" does; the sessions folder is never shown.
          const real = await realpath(isAbsolute(match) ? match : join(cwd, match)).catch(() => undefined);
          if (real === undefined || !allowed(real, fence)) continue;
          if (found.length === maxResults) {
            truncated = true;
            break;
          }
          found.push(displayPath(full, ctx.workspace));
        }
      } finally {
        await opened.handle.close();
      }
      if (found.length === 0) return `No files match ${args.pattern}`;
      found.sort();
      if (truncated) found.push(`[more matches not shown; cap is ${maxResults}]`);
      return found.join("\n");
    },
  });
}
