import { describe, expect, it } from "vitest";
import { describeMcpTool, MAX_TOOL_NAME, mcpToolName } from "../../src/mcp/client/tool-name.js";

describe("mcpToolName", () => {
  it("prefixes alias and tool and keeps [a-zA-Z0-9_-]", () => {
    expect(mcpToolName("everything", "echo")).toBe("mcp_everything_echo");
    expect(mcpToolName("everything", "get-tiny-image")).toBe("mcp_everything_get-tiny-image");
    expect(mcpToolName("my.server", "files/read v2")).toBe("mcp_my_server_files_read_v2");
  });

  it("truncates long names to 64 characters with a stable hash suffix", () => {
    const tool = "a_really_long_tool_name_that_goes_on_and_on_and_on_forever";
    const name = mcpToolName("server", tool);
    expect(name).toHaveLength(MAX_TOOL_NAME);
    expect(name).toMatch(/^mcp_server_a_really_long_tool_name.*_[0-9a-f]{8}$/);
    expect(mcpToolName("server", tool)).toBe(name);
    expect(mcpToolName("server", `${tool}_x`)).not.toBe(name);
    expect(mcpToolName("server", `${tool}_x`)).toHaveLength(MAX_TOOL_NAME);
  });

  it("leaves a 64-character name alone", () => {
    const tool = "t".repeat(64 - "mcp_s_".length);
    expect(mcpToolName("s", tool)).toBe(`mcp_s_${tool}`);
  });
});

describe("describeMcpTool", () => {
  it("prefixes a non-blank server description", () => {
    expect(describeMcpTool(" Team wiki ", "Search pages")).toBe("[server: Team wiki]\nSearch pages");
  });
  it("changes nothing for a blank or missing description", () => {
    expect(describeMcpTool("  \n ", "Search pages")).toBe("Search pages");
    expect(describeMcpTool(undefined, "Search pages")).toBe("Search pages");
  });
});
