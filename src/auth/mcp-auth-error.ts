/** The exact line the model and the user see when a server needs `kavilo mcp login`. */
export function mcpAuthRequiredText(alias: string): string {
  return `MCP_AUTH_REQUIRED:server=${alias}; run kavilo mcp login --server ${alias}`;
}

/** A server answered 401 and there is no usable token for it. */
export class McpAuthRequiredError extends Error {
  constructor(readonly alias: string) {
    super(mcpAuthRequiredText(alias));
    this.name = "McpAuthRequiredError";
  }
}
