import { appendFile, truncate } from "node:fs/promises";

/** An append that failed and was undone; `diskFull` for ENOSPC/EDQUOT. */
export class AppendError extends Error {
  constructor(
    readonly file: string,
    readonly diskFull: boolean,
    cause: unknown,
  ) {
    const code = (cause as NodeJS.ErrnoException).code;
    super(diskFull ? "disk full" : `cannot write ${file} (${code ?? (cause as Error).message})`, { cause });
    this.name = "AppendError";
  }
}

/**
 * Appends `text` whole or not at all: a write that fails part-way (a full disk) is cut back to
 * `sizeBefore`, so a JSONL file is never left with a torn line by it.
 */
export async function appendWhole(
  file: string,
  text: string,
  sizeBefore: number | undefined,
  mode = 0o600,
): Promise<void> {
  try {
    await appendFile(file, text, { mode });
  } catch (err) {
    await truncate(file, sizeBefore ?? 0).catch(() => {});
    const code = (err as NodeJS.ErrnoException).code;
    throw new AppendError(file, code === "ENOSPC" || code === "EDQUOT", err);
  }
}
