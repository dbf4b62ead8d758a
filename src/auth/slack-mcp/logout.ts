import type { Paths } from "../../core/base/paths.js";
import { slackEndpoints } from "./endpoints.js";
import { readSlackToken, removeSlackToken } from "./token-file.js";
import { type FetchFn, revokeToken, SlackApiError } from "./web-api.js";

export interface SlackLogoutResult {
  /** False when there was no token file. */
  removed: boolean;
  /** "revoked", "skipped" (--local-only or no token), or why the revoke failed (the file is removed anyway). */
  revoke: string;
}

/** Revokes the alias's token at Slack (unless localOnly) and deletes its token file. The app file stays. */
export async function slackLogout(opts: {
  alias: string;
  paths: Paths;
  env: NodeJS.ProcessEnv;
  localOnly: boolean;
  fetchFn?: FetchFn;
}): Promise<SlackLogoutResult> {
  const token = await readSlackToken(opts.paths, opts.alias);
  let revoke = "skipped";
  if (token && !opts.localOnly) {
    try {
      await revokeToken(slackEndpoints(opts.env).apiUrl, token.access_token, opts.fetchFn);
      revoke = "revoked";
    } catch (err) {
      // An already invalid token cannot be revoked; the local file goes anyway.
      revoke =
        err instanceof SlackApiError
          ? `not revoked (${err.code})`
          : `not revoked (${(err as Error).message})`;
    }
  }
  const removed = await removeSlackToken(opts.paths, opts.alias);
  return { removed, revoke };
}
