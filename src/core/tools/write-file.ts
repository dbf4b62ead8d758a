import { mkdir, stat } from "node:fs/promises";
import { dirname } from "node:path";
import * as z from "zod";
import { replaceFile } from "./replace-file.js";
import { defineTool, ToolError } from "./types.js";
import { displayPath, resolveWorkspacePath } from "./workspace-guard.js";

export interface WriteFileToolOptions {
  homeDir?: string;
}

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
      const path = await resolveWorkspacePath(args.path, {
        workspace: ctx.workspace,
        restrictToWorkspace: ctx.restrictToWorkspace,
        homeDir: options.homeDir,
      });
      const shown = displayPath(path, ctx.workspace);
      const existing = await stat(path).catch(() => undefined);
      if (existing?.isDirectory()) throw new ToolError(`${shown} is a directory`);
      await mkdir(dirname(path), { recursive: true });
      const bytes = Buffer.byteLength(args.content, "utf8");
      if (ctx.signal.aborted) throw new ToolError("write_file was aborted before it wrote");
      await replaceFile(path, args.content);
      return `${existing ? "Overwrote" : "Created"} ${shown} (${bytes} bytes written)`;
    },
  });
}
