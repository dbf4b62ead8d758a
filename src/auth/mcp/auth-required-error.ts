import { slackAuthRequiredText } from "../slack-mcp/bearer.js";

/** How a server's credentials are supplied; it decides what the auth-required line advises. */
export type McpAuthSource =
  | { kind: "oauth" }
  /** The token works but lacks a scope the server demanded (403 insufficient_scope). */
  | { kind: "scope"; scope?: string | undefined }
  | { kind: "bearer"; tokenFile: string }
  | { kind: "slack" }
  | { kind: "headers" };

/**
 * The one line the model and the user see when a server demands credentials it did not get.
 * The advice follows the auth provider: only OAuth servers can be fixed by `kavilo mcp login`.
 */
export function mcpAuthRequiredText(alias: string, source: McpAuthSource = { kind: "oauth" }): string {
  const head = `MCP_AUTH_REQUIRED:server=${alias}`;
  switch (source.kind) {
    case "bearer":
      return `${head}; the token file ${source.tokenFile} is missing or was rejected`;
    case "slack":
      return slackAuthRequiredText(alias);
    case "headers":
      return `${head}; the server rejected the configured headers`;
    case "scope": {
      const which = source.scope ? ` (scope "${source.scope}")` : "";
      return `${head}; the login lacks access this call needs${which}; run kavilo mcp login --server ${alias} to grant it`;
    }
    default:
      return `${head}; run kavilo mcp login --server ${alias}`;
  }
}

/** A server answered 401 (or 403 insufficient_scope) and there is no usable credential for it. */
export class McpAuthRequiredError extends Error {
  constructor(
    readonly alias: string,
    readonly source: McpAuthSource = { kind: "oauth" },
  ) {
    super(mcpAuthRequiredText(alias, source));
    this.name = "McpAuthRequiredError";
  }
}

/** The McpAuthRequiredError somewhere in err's cause chain (the SDK may wrap what fetch threw). */
export function findMcpAuthRequired(err: unknown): McpAuthRequiredError | undefined {
  let cur: unknown = err;
  for (let depth = 0; cur && depth < 5; depth++) {
    if (cur instanceof McpAuthRequiredError) return cur;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}
