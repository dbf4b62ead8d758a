import type { Paths } from "../../core/base/paths.js";
import type { McpServerConfig } from "../../core/config/schema.js";
import { oauthServerUrl } from "./oauth-target.js";
import type { McpStepUp } from "./types.js";

/**
 * The step-up of an interactive front-end (the TUI): when a tool call is refused for lack of scope,
 * the same browser login as `kavilo mcp login` runs (asking for the union of the current and the
 * demanded scope, recorded in the token file), and the call is retried once. One login per server
 * at a time: concurrent refusals share it.
 */
export function browserStepUp(opts: {
  servers: Record<string, McpServerConfig>;
  paths: Paths;
  print: (line: string) => void;
  openBrowser?: boolean;
}): McpStepUp {
  const running = new Map<string, Promise<boolean>>();
  return (alias) => {
    const target = oauthServerUrl(opts.servers, alias);
    if ("error" in target) return Promise.resolve(false);
    let login = running.get(alias);
    if (!login) {
      login = (async () => {
        opts.print(`${alias} needs more access for this call; log in again to grant it.`);
        const [{ mcpLogin }, { readMcpTokenFile }] = await Promise.all([
          import("../../auth/mcp/oauth-login.js"),
          import("../../auth/mcp/token-file.js"),
        ]);
        try {
          // The redirect of the last login, so the client registered for it is used again.
          const last = await readMcpTokenFile(opts.paths, alias).catch(() => undefined);
          const port = last?.redirectUrl ? Number(new URL(last.redirectUrl).port) : Number.NaN;
          await mcpLogin({
            alias,
            serverUrl: target.url,
            paths: opts.paths,
            openBrowser: opts.openBrowser ?? true,
            print: opts.print,
            ...(Number.isInteger(port) && port > 0 ? { redirectPort: port } : {}),
          });
          return true;
        } catch (err) {
          opts.print(`${alias}: the login did not finish (${(err as Error).message})`);
          return false;
        }
      })().finally(() => running.delete(alias));
      running.set(alias, login);
    }
    return login;
  };
}
