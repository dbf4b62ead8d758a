import { chmod, mkdir, readFile, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { writeFileAtomic } from "../core/base/atomic-file.js";
import { withFileMutex } from "../core/base/file-lock.js";
import { jsonErrorAt } from "../core/base/json-error-at.js";

/**
 * The one credential store: token files are JSON objects, read whole, written atomically (temp file,
 * fsync, rename) with mode 0600 in a 0700 folder, and refreshed under a cross-process lock with a
 * guarded reload. Keys the caller does not know are kept: the caller gets the whole object back and
 * writes a merged copy, so a file another program owns (Codex's auth.json) loses nothing.
 */

export type TokenJson = Record<string, unknown>;

/** A token file that exists but cannot be used as it is; the file is left untouched. */
export class TokenFileError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = "TokenFileError";
  }
}

/** The file's JSON object, or undefined when there is no file. Malformed content is a TokenFileError. */
export async function readTokenJson(path: string): Promise<TokenJson | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "EISDIR") throw new TokenFileError(path, `${path} is a folder, not a token file`);
    throw new TokenFileError(path, `cannot read ${path} (${code ?? (err as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch {
    // Never V8's message: it quotes the text near the error, which may be part of a token.
    const at = jsonErrorAt(text);
    throw new TokenFileError(
      path,
      `${path} is not valid JSON${at ? ` at line ${at.line}, column ${at.column}` : ""}; it was left untouched`,
    );
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new TokenFileError(path, `${path} does not hold a JSON object; it was left untouched`);
  }
  return parsed as TokenJson;
}

export interface WriteTokenOptions {
  /** Default 0o600. `"keep"` keeps the mode of the file being replaced (AWS's SSO cache), else 0o600. */
  mode?: number | "keep";
}

/** Writes a token file atomically; creates its folder 0700 when missing (an existing folder keeps its mode). */
export async function writeTokenJson(path: string, value: TokenJson, opts: WriteTokenOptions = {}) {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  let mode = 0o600;
  if (typeof opts.mode === "number") mode = opts.mode;
  else if (opts.mode === "keep") {
    const before = await stat(path).catch(() => undefined);
    if (before) mode = before.mode & 0o777;
  }
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`, { mode });
}

/** Makes a folder that holds tokens 0700 (our own folders only: never a folder another program owns). */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

/** The lock beside a token file; keyed by the file's path so every profile and process shares it. */
export function tokenLockPath(path: string): string {
  return `${path}.kavilo-lock`;
}

export interface RefreshUnderLockOptions<T> {
  path: string;
  /** Turns the raw JSON into the caller's view; throw TokenFileError for a file that cannot be used. */
  parse: (json: TokenJson) => T;
  /**
   * Asked under the lock, after re-reading the file: does this (possibly just rotated by another
   * process) credential still need a refresh? Returning false adopts it: no network.
   */
  due: (current: T) => boolean;
  /** Calls the token endpoint; returns the whole JSON to write (the old object merged with new fields). */
  refresh: (current: T, json: TokenJson) => Promise<TokenJson>;
  /** The refresh token a credential was refreshed with, to tell whether another process rotated it. */
  refreshTokenOf: (current: T) => string | undefined;
  /** True when the server says the refresh token was already used (`refresh_token_reused`, `invalid_grant`). */
  isReused?: (err: unknown) => boolean;
  write?: WriteTokenOptions;
  lockTimeoutMs?: number;
}

export type RefreshOutcome<T> =
  | { kind: "refreshed"; value: T }
  /** Another process had already rotated it (seen under the lock, or after a reuse error). */
  | { kind: "adopted"; value: T }
  | { kind: "missing" };

/**
 * Refreshes a rotating credential once across processes: take the lock, re-read the file, and adopt
 * a token that another process already rotated ("guarded reload"). When the server reports the
 * refresh token as already used, re-read once more: the winner of a race may have written it just now.
 */
export async function refreshUnderLock<T>(opts: RefreshUnderLockOptions<T>): Promise<RefreshOutcome<T>> {
  return withFileMutex(
    tokenLockPath(opts.path),
    async () => {
      const json = await readTokenJson(opts.path);
      if (!json) return { kind: "missing" } as const;
      const current = opts.parse(json);
      if (!opts.due(current)) return { kind: "adopted", value: current } as const;
      let next: TokenJson;
      try {
        next = await opts.refresh(current, json);
      } catch (err) {
        if (!opts.isReused?.(err)) throw err;
        const again = await readTokenJson(opts.path);
        if (again) {
          const reread = opts.parse(again);
          if (opts.refreshTokenOf(reread) !== opts.refreshTokenOf(current)) {
            return { kind: "adopted", value: reread } as const;
          }
        }
        throw err;
      }
      await writeTokenJson(opts.path, next, opts.write);
      return { kind: "refreshed", value: opts.parse(next) } as const;
    },
    { timeoutMs: opts.lockTimeoutMs ?? 60_000 },
  );
}
