import * as z from "zod";
import { replaceFile } from "./replace-file.js";
import { defineTool, ToolError } from "./types.js";
import { openRegularFile } from "./verified-fs.js";
import {
  displayPath,
  type FileToolGuard,
  fenceOf,
  fsToolError,
  guardOptions,
  resolveWorkspacePath,
  shortPath,
} from "./workspace-guard.js";

export type EditFileToolOptions = FileToolGuard;

const parameters = z.object({
  path: z.string().describe("File path, relative to the workspace or absolute"),
  old_string: z
    .string()
    .describe("Exact text to replace, including whitespace; must be unique unless replace_all"),
  new_string: z.string().describe("Replacement text"),
  replace_all: z
    .boolean()
    .optional()
    .describe("Replace every occurrence instead of exactly one (default false)"),
});

function countOccurrences(haystack: string, needle: string): number {
  let count = 0;
  let from = 0;
  for (;;) {
    const at = haystack.indexOf(needle, from);
    if (at === -1) return count;
    count++;
    from = at + needle.length;
  }
}

export function createEditFileTool(options: EditFileToolOptions = {}) {
  return defineTool({
    name: "edit_file",
    description:
      "Replace an exact string in a file. Fails when old_string is missing or occurs more than once (unless replace_all).",
    parameters,
    capabilities: { sideEffect: true },
    async run(args, ctx) {
      if (args.old_string === "") throw new ToolError("old_string is empty; use write_file to create a file");
      if (args.old_string === args.new_string) throw new ToolError("old_string and new_string are the same");
      const guard = guardOptions({ ...options, readRoots: undefined }, ctx);
      const path = await resolveWorkspacePath(args.path, guard);
      const shown = shortPath(displayPath(path, ctx.workspace));
      const fence = await fenceOf(guard, shown, false);
      const allowHardLinks = options.allowHardLinks ?? false;
      const handle = await openRegularFile(path, fence, allowHardLinks);
      const bytes = await handle.readFile({ signal: ctx.signal }).finally(() => handle.close());
      let text: string;
      try {
        // Strict decoding: rewriting a Latin-1 or binary file as UTF-8 would silently damage it.
        // ignoreBOM keeps a byte-order mark in the text, so it is written back too.
        text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
      } catch {
        throw new ToolError(`${shown} is not UTF-8 text; edit_file only changes UTF-8 files`);
      }
      const count = countOccurrences(text, args.old_string);
      if (count === 0) throw new ToolError(`old_string was not found in ${shown}`);
      if (count > 1 && !args.replace_all) {
        throw new ToolError(
          `old_string occurs ${count} times in ${shown}; include more surrounding text to make it unique, or set replace_all`,
        );
      }
      // split/join rather than String.replace so `$&`-style patterns in new_string stay literal.
      const updated = args.replace_all
        ? text.split(args.old_string).join(args.new_string)
        : text.replace(args.old_string, () => args.new_string);
      await replaceFile(path, updated, { fence, allowHardLinks }).catch((err: unknown) => {
        throw fsToolError(err, shown);
      });
      return `Replaced ${count} occurrence${count === 1 ? "" : "s"} in ${shown}`;
    },
  });
}
