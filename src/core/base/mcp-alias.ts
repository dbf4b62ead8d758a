/** The characters an MCP server alias may use: it names a token file under mcp-auth/ and its tools. */
const MCP_ALIAS = /^[A-Za-z0-9._-]+$/;

/** Whether `alias` can be an MCP server's alias (letters, digits, ".", "_", "-"; not starting with "."). */
export function isSafeMcpAlias(alias: string): boolean {
  return MCP_ALIAS.test(alias) && !alias.startsWith(".");
}
