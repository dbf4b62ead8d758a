import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { CodexTokenSet } from "../fakes/openai-token-server.js";

/** Writes `<codexHome>/auth.json` the way `codex login` does, plus keys kavilo must keep. */
export async function writeCodexAuthFile(
  codexHome: string,
  tokens: Partial<CodexTokenSet> & { account_id?: string },
  extra: Record<string, unknown> = {},
): Promise<string> {
  await mkdir(codexHome, { recursive: true });
  const path = join(codexHome, "auth.json");
  const body = {
    OPENAI_API_KEY: null,
    tokens: { ...tokens, future_token_field: "kept" },
    last_refresh: "2026-01-01T00:00:00Z",
    ...extra,
  };
  await writeFile(path, `${JSON.stringify(body, null, 2)}\n`);
  await chmod(path, 0o600);
  return path;
}
