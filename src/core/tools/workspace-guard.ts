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
  /**
   * Directories the file tools never reach, restricted or not: kavilo's sessions folder, so a chat
   * user cannot have the agent read or rewrite another chat's history.
   */
  denyRoots?: readonly string[];
}

/** What every file tool takes besides the turn's context. */
export interface FileToolGuard {
  /** Where `~` points; the user's home by default. */
  homeDir?: string;
  /** Directories outside the workspace it may also read (the profile's media/). */
  readRoots?: readonly string[];
  /** See WorkspaceGuardOptions.denyRoots. */
  denyRoots?: readonly string[];
  /** Files with more than one hard link are refused unless this is set (tools.allowHardLinks). */
  allowHardLinks?: boolean;
}

/** True when `child` is `parent` itself or lies below it (both absolute, normalised). */
export function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

function errnoCode(err: unknown): string | undefined {
  return err instanceof Error && "code" in err && typeof err.code === "string" ? err.code : undefined;
}

/** A path short enough for a one-line error: a very long one keeps its start and its end. */
export function shortPath(path: string): string {
  return path.length <= 120 ? path : `${path.slice(0, 60)}...${path.slice(-40)}`;
}

/**
 * A file system error as one line for the model, without the full path V8 puts in the message
 * (a very long name would fill the line).
 */
export function fsToolError(err: unknown, shown: string): Error {
  if (err instanceof ToolError) return err;
  const code = errnoCode(err);
  if (code === undefined) return err instanceof Error ? err : new Error(String(err));
  const short = shortPath(shown);
  const why: Record<string, string> = {
    ENAMETOOLONG: "a name in it is too long (over 255 bytes) or the path is over 4096 bytes",
    ENOENT: "it does not exist",
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    ENOTDIR: "a part of it is not a directory",
    EISDIR: "it is a directory",
    ELOOP: "it contains a symlink loop",
    ENOSPC: "the disk is full",
    EDQUOT: "the disk quota is exceeded",
    EFBIG: "the file would be too large",
    EROFS: "the file system is read-only",
    ENXIO: "it is a FIFO or socket with no one on the other end",
  };
  return new ToolError(`${short}: ${why[code] ?? code}`);
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
      if (code === "ELOOP") throw new ToolError(`Path "${shortPath(shown)}" contains a symlink loop`);
      if (code !== "ENOENT" && code !== "ENOTDIR") throw fsToolError(err, shown);
      const exists = await lstat(current).then(
        () => true,
        () => false,
      );
      if (exists) {
        throw new ToolError(
          `Path "${shortPath(shown)}" goes through a broken symlink; refusing to follow it`,
        );
      }
      const parent = dirname(current);
      if (parent === current) return abs;
      tail.push(basename(current));
      current = parent;
    }
  }
}

/** Real paths of roots (a missing one as written, resolved against what exists). */
async function realRoots(roots: readonly string[] | undefined): Promise<string[]> {
  return Promise.all((roots ?? []).map((r) => realLocation(resolve(r), r).catch(() => resolve(r))));
}

function refuseDenied(real: string, denied: readonly string[], shown: string): void {
  if (denied.some((root) => isInside(root, real))) {
    throw new ToolError(
      `Path "${shortPath(shown)}" is in kavilo's sessions folder; the file tools may not read or change chat histories`,
    );
  }
}

/**
 * Where the file tools may find what they open (see verified-fs.ts): the real workspace (and the
 * read roots, for reading) when restricted, never the deny roots.
 */
export async function fenceOf(
  opts: WorkspaceGuardOptions,
  shown: string,
  forRead: boolean,
): Promise<{ allow?: string[]; deny: string[]; shown: string }> {
  const deny = await realRoots(opts.denyRoots);
  if (!opts.restrictToWorkspace) return { deny, shown };
  const allow = await realRoots([opts.workspace, ...(forRead ? (opts.readRoots ?? []) : [])]);
  return { allow, deny, shown };
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
  const denied = await realRoots(opts.denyRoots);
  if (!opts.restrictToWorkspace) {
    // Unrestricted paths are not refused for a broken symlink; only the deny roots are checked here.
    if (denied.length > 0) refuseDenied(await realLocation(abs, input).catch(() => abs), denied, input);
    return abs;
  }

  const workspace = resolve(opts.workspace);
  for (const root of opts.readRoots ?? []) {
    if (!isInside(resolve(root), abs)) continue;
    const realRoot = await realpath(root).catch(() => resolve(root));
    const real = await realLocation(abs, input);
    if (isInside(realRoot, real)) return real;
  }
  if (!isInside(workspace, abs)) {
    throw new ToolError(
      `Path "${shortPath(input)}" is outside the workspace (${workspace}); tools.restrictToWorkspace is on`,
    );
  }
  const realWorkspace = await realpath(workspace).catch(() => workspace);
  const real = await realLocation(abs, input);
  if (!isInside(realWorkspace, real)) {
    throw new ToolError(
      `Path "${shortPath(input)}" resolves through a symlink to ${shortPath(real)}, outside the workspace; tools.restrictToWorkspace is on`,
    );
  }
  refuseDenied(real, denied, input);
  return real;
}

/** The guard options of a file tool in a turn. */
export function guardOptions(
  options: FileToolGuard,
  ctx: { workspace: string; restrictToWorkspace: boolean },
) {
  return {
    workspace: ctx.workspace,
    restrictToWorkspace: ctx.restrictToWorkspace,
    ...(options.homeDir ? { homeDir: options.homeDir } : {}),
    ...(options.readRoots ? { readRoots: options.readRoots } : {}),
    ...(options.denyRoots ? { denyRoots: options.denyRoots } : {}),
  } satisfies WorkspaceGuardOptions;
}

/** Shows a path relative to the workspace when it is inside, else absolute. */
export function displayPath(abs: string, workspace: string): string {
  if (!isInside(workspace, abs)) return abs;
  return relative(workspace, abs) || ".";
}
