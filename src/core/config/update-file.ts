import { realpath } from "node:fs/promises";
import { writeJsonAtomic } from "../base/atomic-file.js";
import { withFileMutex } from "../base/file-lock.js";

export { FORBIDDEN_KEYS } from "./read-config-file.js";

/** The lock beside config.json, the same kind the token store uses: every process shares it. */
export function configLockOf(file: string): string {
  return `${file}.kavilo-lock`;
}

/**
 * Read-modify-write of config.json under a cross-process lock, so concurrent `config set`s lose no
 * update. The file is re-read under the lock (a symlink loop, a FIFO or a dangling link is a
 * ConfigError there, before anything is written), `change` edits a copy, the result is validated
 * in full, and only then written atomically (mode 0600). A symlinked config.json is written at its
 * target, which must exist: no folder is ever created at a link's target.
 */
export async function updateConfigFile(
  file: string,
  change: (raw: Record<string, unknown>) => void,
): Promise<Record<string, unknown>> {
  return withFileMutex(
    configLockOf(file),
    async () => {
      // The parser (zod) only when writing: the agent's approval gate imports this module.
      const { loadConfig, parseConfig } = await import("./parse.js");
      const loaded = loadConfig(file);
      const next = structuredClone(loaded.raw);
      change(next);
      parseConfig(next, file);
      const target = loaded.exists ? await realpath(file) : file;
      await writeJsonAtomic(target, next, { mode: 0o600 });
      return next;
    },
    { staleMs: 10_000, timeoutMs: 30_000 },
  );
}
