import type { FileHandle } from "node:fs/promises";
import * as z from "zod";
import { defineTool, ToolError } from "./types.js";
import { openRegularFile } from "./verified-fs.js";
import {
  displayPath,
  type FileToolGuard,
  fenceOf,
  guardOptions,
  resolveWorkspacePath,
  shortPath,
} from "./workspace-guard.js";

export interface ReadFileToolOptions extends FileToolGuard {
  /** Most bytes of text returned in one call. */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 256 * 1024;
const SNIFF_BYTES = 8192;

const parameters = z.object({
  path: z.string().describe("File path, relative to the workspace or absolute"),
  offset: z.number().int().positive().optional().describe("First line to read, 1-based (default 1)"),
  limit: z.number().int().positive().optional().describe("Most lines to read (default: to the end)"),
});

async function looksBinary(handle: FileHandle): Promise<boolean> {
  const buf = Buffer.alloc(SNIFF_BYTES);
  const { bytesRead } = await handle.read(buf, 0, SNIFF_BYTES, 0);
  return buf.subarray(0, bytesRead).includes(0);
}

export function createReadFileTool(options: ReadFileToolOptions = {}) {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  return defineTool({
    name: "read_file",
    description:
      "Read a text file. Use offset/limit (in lines) for large files; output is capped and says where to continue.",
    parameters,
    capabilities: { readOnly: true },
    async run(args, ctx) {
      const guard = guardOptions(options, ctx);
      const path = await resolveWorkspacePath(args.path, guard);
      const shown = shortPath(displayPath(path, ctx.workspace));
      // Read through the handle that was checked after opening, never by path again.
      const handle = await openRegularFile(
        path,
        await fenceOf(guard, shown, true),
        options.allowHardLinks ?? false,
      );
      try {
        return await readLines(handle, shown, args, maxBytes, ctx.signal);
      } finally {
        await handle.close();
      }
    },
  });
}

async function readLines(
  handle: FileHandle,
  shown: string,
  args: { offset?: number | undefined; limit?: number | undefined },
  maxBytes: number,
  signal: AbortSignal,
): Promise<string> {
  if (await looksBinary(handle)) {
    throw new ToolError(
      `${shown} looks like a binary file (it contains NUL bytes); read_file reads text only`,
    );
  }

  const first = args.offset ?? 1;
  const last = args.limit === undefined ? Number.POSITIVE_INFINITY : first + args.limit - 1;
  const lines: string[] = [];
  let bytes = 0;
  let lineNo = 0;
  let stoppedAt: number | undefined;
  let moreLines = false;
  const { createInterface } = await import("node:readline");
  const rl = createInterface({
    input: handle.createReadStream({ encoding: "utf8", start: 0, autoClose: false, signal }),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  try {
    for await (const line of rl) {
      lineNo++;
      if (lineNo < first) continue;
      if (lineNo > last) {
        moreLines = true;
        break;
      }
      const size = Buffer.byteLength(line, "utf8") + 1;
      if (bytes + size > maxBytes) {
        // A single huge line (minified code) still shows its start, or the model could never get past it.
        if (lines.length === 0) {
          lines.push(Buffer.from(line, "utf8").subarray(0, maxBytes).toString("utf8"));
          stoppedAt = lineNo + 1;
        } else {
          stoppedAt = lineNo;
        }
        break;
      }
      bytes += size;
      lines.push(line);
    }
  } finally {
    rl.close();
  }

  if (lineNo < first && first > 1) {
    throw new ToolError(`${shown} has ${lineNo} lines; offset ${first} is past the end`);
  }
  let text = lines.join("\n");
  if (stoppedAt !== undefined) {
    const cap = maxBytes >= 1024 ? `${Math.round(maxBytes / 1024)} KiB` : `${maxBytes} bytes`;
    text += `\n\n[truncated: output cap of ${cap} reached; continue with offset=${stoppedAt}]`;
  } else if (moreLines) {
    text += `\n\n[showing lines ${first}-${last}; more follow, continue with offset=${last + 1}]`;
  }
  return text;
}
