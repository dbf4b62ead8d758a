import { lstat, realpath } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { expandHome } from "../base/paths.js";
import { ToolError } from "./types.js";

export interface WorkspaceGuardOptions {
  /** Absolute path of the workspace. */
  workspace: string;
  restrictToWorkspace: boolean;
  /** Where `~` points; the user's home by default. */
  homeDir?: string;
  /**
   * Directories outside the workspace that this (read-only) use may also reach, such as the profile's
   * media/ where channels save the files users send.
   */
  readRoots?: readonly string[];
}

/** True when `child` is `parent` itself or lies below it (both absolute, normalised). */
export function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

function errnoCode(err: unknown): string | undefined {
  return err instanceof Error && "code" in err && typeof err.code === "string" ? err.code : undefined;
}

/**
 * The real location of `abs`: realpath of the path itself, or of its nearest existing ancestor with the
 * missing tail re-attached (a file about to be created). A dangling symlink on the way is refused because
 * creating through it would land wherever its target points.
 */
async function realLocation(abs: string, shown: string): Promise<string> {
  const tail: string[] = [];
  let current = abs;
  for (;;) {
    try {
      const real = await realpath(current);
      return tail.length === 0 ? real : join(real, ...tail.reverse());
    } catch (err) {
      const code = errnoCode(err);
      if (code === "ELOOP") throw new ToolError(`Path "${shown}" contains a symlink loop`);
      if (code !== "ENOENT" && code !== "ENOTDIR") throw err;
      const exists = await lstat(current).then(
        () => true,
        () => false,
      );
      if (exists) throw new ToolError(`Path "${shown}" goes through a broken symlink; refusing to follow it`);
      const parent = dirname(current);
      if (parent === current) return abs;
      tail.push(basename(current));
      current = parent;
    }
  }
}

/**
 * Turns a path the model gave into an absolute path. Relative paths are relative to the workspace and `~`
 * expands. With restrictToWorkspace, anything whose real location (symlinks resolved) is outside the
 * workspace is refused with a ToolError; the returned path is then the real one, so later file operations
 * do not re-follow a symlink that could have been swapped.
 */
export async function resolveWorkspacePath(input: string, opts: WorkspaceGuardOptions): Promise<string> {
  if (input.trim() === "") throw new ToolError("Path is empty");
  if (input.includes("\0")) throw new ToolError("Path contains a NUL byte");
  const expanded = expandHome(input, opts.homeDir ?? homedir());
  const abs = isAbsolute(expanded) ? resolve(expanded) : resolve(opts.workspace, expanded);
  if (!opts.restrictToWorkspace) return abs;

  const workspace = resolve(opts.workspace);
  for (const root of opts.readRoots ?? []) {
    if (!isInside(resolve(root), abs)) continue;
    const realRoot = await realpath(root).catch(() => resolve(root));
    const real = await realLocation(abs, input);
    if (isInside(realRoot, real)) return real;
  }
  if (!isInside(workspace, abs)) {
    throw new ToolError(
      `Path "${input}" is outside the workspace (${workspace}); tools.restrictToWorkspace is on`,
    );
  }
  const realWorkspace = await realpath(workspace).catch(() => workspace);
  const real = await realLocation(abs, input);
  if (!isInside(realWorkspace, real)) {
    throw new ToolError(
      `Path "${input}" resolves through a symlink to ${real}, outside the workspace; tools.restrictToWorkspace is on`,
    );
  }
  return real;
}

/** Shows a path relative to the workspace when it is inside, else absolute. */
export function displayPath(abs: string, workspace: string): string {
  if (!isInside(workspace, abs)) return abs;
  return relative(workspace, abs) || ".";
}
