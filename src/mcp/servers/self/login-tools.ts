import * as z from "zod";
import { oauthServerUrl } from "../../client/oauth-target.js";
import { defineSelfTool, type SelfDeps, type SelfTool, SelfToolError } from "./self-tool.js";

/** The server's URL, when `alias` is an HTTP server that logs in with OAuth. */
function oauthUrl(deps: SelfDeps, alias: string): string {
  const target = oauthServerUrl(deps.config().config.tools.mcpServers, alias);
  if ("error" in target) throw new SelfToolError(target.error);
  return target.url;
}

const serverArg = z.string().min(1).describe("The server's alias in tools.mcpServers");

export function createLoginTools(deps: SelfDeps): SelfTool[] {
  const start = defineSelfTool({
    name: "mcp_login_start",
    title: "Start an MCP server login",
    description:
      "Begin an OAuth login for an HTTP MCP server configured in kavilo (tools.mcpServers). Returns the " +
      "authorization URL for the user to open in a browser; after approving, the browser lands on a " +
      "localhost callback URL that the user copies back, to be passed to mcp_login_finish.",
    input: z.object({ server: serverArg }),
    readOnly: false,
    openWorld: true,
    async handler({ server }) {
      const serverUrl = oauthUrl(deps, server);
      const { mcpLoginStart } = await import("../../../auth/mcp/oauth-login.js");
      let authorizationUrl: string;
      try {
        ({ authorizationUrl } = await mcpLoginStart({
          alias: server,
          serverUrl,
          paths: deps.config().paths,
          ...(deps.loginRedirectUrl ? { redirectUrl: deps.loginRedirectUrl } : {}),
          ...(deps.fetchFn ? { fetchFn: deps.fetchFn } : {}),
        }));
      } catch (err) {
        throw new SelfToolError(`login to ${server} could not start: ${(err as Error).message}`);
      }
      const redirect = new URL(authorizationUrl).searchParams.get("redirect_uri");
      return {
        server,
        authorizationUrl,
        redirectUrl: redirect,
        instructions:
          "Open authorizationUrl in a browser and approve. The browser is then sent to " +
          `${redirect ?? "a localhost callback"}; nothing may be listening there, so the page can fail to load: ` +
          "that is expected. Copy the full URL from the address bar and call mcp_login_finish with " +
          "it as callbackUrl.",
      };
    },
  });

  const finish = defineSelfTool({
    name: "mcp_login_finish",
    title: "Finish an MCP server login",
    description:
      "Complete a login begun with mcp_login_start: exchanges the authorization code for tokens and stores " +
      "them in kavilo's profile (never returned). Pass the full callback URL, or its code and state.",
    input: z.object({
      server: serverArg,
      callbackUrl: z.string().url().optional().describe("The full URL the browser landed on after approving"),
      code: z.string().min(1).optional().describe("The `code` query parameter, when not passing callbackUrl"),
      state: z.string().min(1).optional().describe("The `state` query parameter, with `code`"),
    }),
    readOnly: false,
    openWorld: true,
    async handler({ server, callbackUrl, code, state }) {
      if (!callbackUrl && !(code && state)) {
        throw new SelfToolError("pass callbackUrl, or both code and state from it");
      }
      oauthUrl(deps, server);
      const { paths } = deps.config();
      const { authStatus, mcpLoginFinish } = await import("../../../auth/mcp/oauth-login.js");
      try {
        await mcpLoginFinish({
          alias: server,
          paths,
          ...(callbackUrl ? { callbackUrl } : {}),
          ...(code ? { code } : {}),
          ...(state ? { state } : {}),
          ...(deps.fetchFn ? { fetchFn: deps.fetchFn } : {}),
          ...(deps.now ? { now: deps.now } : {}),
        });
      } catch (err) {
        throw new SelfToolError(`login to ${server} failed: ${(err as Error).message}`);
      }
      return {
        server,
        loggedIn: true,
        auth: await authStatus(server, paths, deps.now ? { now: deps.now } : {}),
      };
    },
  });

  return [start, finish];
}
