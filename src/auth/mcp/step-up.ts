import { withFileMutex } from "../../core/base/file-lock.js";
import type { Paths } from "../../core/base/paths.js";
import { unionScopes } from "./challenge.js";
import { mcpTokenLockPath, readMcpTokenFile, writeMcpTokenFile } from "./token-file.js";

/**
 * Remembers the scopes a server demanded with 403 insufficient_scope in the server's token file,
 * so the next `kavilo mcp login --server <alias>` asks for them along with the ones it has.
 * Merged under the token mutex: a refresh in another process must not drop it (or lose its rotation).
 */
export async function recordRequiredScope(
  paths: Paths,
  alias: string,
  scope: string | undefined,
): Promise<void> {
  if (!scope) return;
  await withFileMutex(mcpTokenLockPath(paths, alias), async () => {
    const file = await readMcpTokenFile(paths, alias);
    if (!file) return;
    const requiredScope = unionScopes(file.requiredScope, scope);
    if (requiredScope === file.requiredScope) return;
    await writeMcpTokenFile(paths, alias, { ...file, ...(requiredScope ? { requiredScope } : {}) });
  });
}

/**
 * The scope a new login asks for: the challenge's, plus, after a step-up demand, what the current
 * token holds and what the server demanded (the union, so the new token keeps working for the rest).
 * Undefined lets discovery pick `scopes_supported`, or no scope.
 */
export function loginScope(
  challengeScope: string | undefined,
  stored: { requiredScope?: string | undefined; tokens: { scope?: string | undefined } } | undefined,
): string | undefined {
  if (!stored?.requiredScope) return challengeScope;
  return unionScopes(stored.tokens.scope, challengeScope, stored.requiredScope);
}
