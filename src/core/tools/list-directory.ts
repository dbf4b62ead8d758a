import { readdir, readlink, stat } from "node:fs/promises";
import { join } from "node:path";
import * as z from "zod";
import { defineTool, ToolError } from "./types.js";
import { inDir, openDirChecked } from "./verified-fs.js";
import {
  displayPath,
  type FileToolGuard,
  fenceOf,
  fsToolError,
  guardOptions,
  resolveWorkspacePath,
  shortPath,
} from "./workspace-guard.js";

export interface ListDirectoryToolOptions extends FileToolGuard {
  /** Most entries listed. */
  maxEntries?: number;
}

const DEFAULT_MAX_ENTRIES = 1000;

const parameters = z.object({
  path: z.string().optional().describe('Directory, relative to the workspace or absolute (default ".")'),
});

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

export function createListDirectoryTool(options: ListDirectoryToolOptions = {}) {
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  return defineTool({
    name: "list_directory",
    description: "List a directory: subdirectories end with /, files show their size, symlinks their target.",
    parameters,
    capabilities: { readOnly: true },
    async run(args, ctx) {
      const guard = guardOptions(options, ctx);
      const path = await resolveWorkspacePath(args.path ?? ".", guard);
      const shown = shortPath(displayPath(path, ctx.workspace));
      // Listed through the folder that was opened and checked, never by path again.
      const opened = await openDirChecked(path, await fenceOf(guard, shown, true)).catch((err: unknown) => {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "ENOTDIR") throw new ToolError(`${shown} is not a directory`);
        if (code === "ENOENT") throw new ToolError(`Directory not found: ${shown}`);
        throw fsToolError(err, shown);
      });
      try {
        return await listing(inDir(opened), shown, maxEntries);
      } finally {
        await opened.handle.close();
      }
    },
  });
}

async function listing(dir: string, shown: string, maxEntries: number): Promise<string> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((err: unknown) => {
    throw fsToolError(err, shown);
  });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const lines: string[] = [];
  for (const entry of entries.slice(0, maxEntries)) {
    const full = join(dir, entry.name);
    if (entry.isSymbolicLink()) {
      const target = await readlink(full).catch(() => "?");
      const isDir = await stat(full).then(
        (s) => s.isDirectory(),
        () => false,
      );
      lines.push(`${entry.name}${isDir ? "/" : ""} -> ${target}`);
    } else if (entry.isDirectory()) {
      lines.push(`${entry.name}/`);
    } else {
      const size = await stat(full).then(
        (s) => formatSize(s.size),
        () => "?",
      );
      lines.push(`${entry.name}  ${size}`);
    }
  }
  if (entries.length === 0) return `${shown} is empty`;
  if (entries.length > maxEntries) {
    lines.push(`[${entries.length - maxEntries} more entries not shown; cap is ${maxEntries}]`);
  }
  return lines.join("\n");
}
