import * as z from "zod";
import { replaceFile } from "./replace-file.js";
import { defineTool, ToolError } from "./types.js";
import {
  displayPath,
  type FileToolGuard,
  fenceOf,
  fsToolError,
  guardOptions,
  resolveWorkspacePath,
  shortPath,
} from "./workspace-guard.js";

export type WriteFileToolOptions = FileToolGuard;

const parameters = z.object({
  path: z.string().describe("File path, relative to the workspace or absolute"),
  content: z.string().describe("The complete new content of the file"),
});

export function createWriteFileTool(options: WriteFileToolOptions = {}) {
  return defineTool({
    name: "write_file",
    description:
      "Create or overwrite a text file with the given content. Missing parent directories are created.",
    parameters,
    capabilities: { sideEffect: true },
    async run(args, ctx) {
      const guard = guardOptions({ ...options, readRoots: undefined }, ctx);
      const path = await resolveWorkspacePath(args.path, guard);
      const shown = displayPath(path, ctx.workspace);
      const fence = await fenceOf(guard, shown, false);
      const bytes = Buffer.byteLength(args.content, "utf8");
      if (ctx.signal.aborted) throw new ToolError("write_file was aborted before it wrote");
      const created = await replaceFile(path, args.content, {
        fence,
        allowHardLinks: options.allowHardLinks ?? false,
        makeParents: true,
      }).catch((err: unknown) => {
        throw fsToolError(err, shown);
      });
      return `${created ? "Created" : "Overwrote"} ${shortPath(shown)} (${bytes} bytes written)`;
    },
  });
}
