import { rm } from "node:fs/promises";
import { withFileMutex } from "../../core/base/file-lock.js";
import type { Paths } from "../../core/base/paths.js";
import { tokenLockPath } from "../token-store.js";
import { type HttpDeps, revokeToken } from "./oauth-client.js";
import type { ClaudeOAuthSettings } from "./settings.js";
import { claudeTokenPath, readClaudeToken } from "./token-file.js";

export type RevokeOutcome =
  | { kind: "revoked" }
  | { kind: "skipped" }
  /** No revoke endpoint is configured (Anthropic publishes none). */
  | { kind: "no-endpoint" }
  | { kind: "failed"; reason: string };

export interface ClaudeLogoutResult {
  /** False when there was no token file. */
  removed: boolean;
  revoke: RevokeOutcome;
  path: string;
}

/**
 * Revokes the token best-effort (the refresh token when there is one: that ends the grant), then
 * deletes the file. Under the token store's lock, so a refresh in another process cannot write it back.
 */
export async function claudeLogout(
  paths: Pick<Paths, "auth">,
  settings: ClaudeOAuthSettings,
  opts: { localOnly?: boolean; http?: HttpDeps } = {},
): Promise<ClaudeLogoutResult> {
  const path = claudeTokenPath(paths);
  return withFileMutex(tokenLockPath(path), async () => {
    // A damaged file is still deleted: logout must always be able to clear the login.
    const token = await readClaudeToken(path).catch(() => undefined);
    let revoke: RevokeOutcome = { kind: "skipped" };
    if (token && !opts.localOnly) {
      if (!settings.revokeUrl) revoke = { kind: "no-endpoint" };
      else {
        try {
          await revokeToken(
            {
              revokeUrl: settings.revokeUrl,
              clientId: token.clientId ?? settings.clientId,
              token: token.refreshToken ?? token.accessToken,
              hint: token.refreshToken ? "refresh_token" : "access_token",
            },
            opts.http,
          );
          revoke = { kind: "revoked" };
        } catch (err) {
          revoke = { kind: "failed", reason: (err as Error).message };
        }
      }
    }
    const existed = await rm(path).then(
      () => true,
      (err: NodeJS.ErrnoException) => {
        if (err.code === "ENOENT") return false;
        throw err;
      },
    );
    return { removed: existed, revoke, path };
  });
}
