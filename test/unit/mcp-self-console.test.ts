import { describe, expect, it } from "vitest";
import { routeConsoleTo } from "../../src/mcp/servers/self/serve-stdio.js";

describe("mcp serve self keeps stdout for the protocol", () => {
  it("console.log, info and debug go to the log while serving, and come back after", () => {
    const original = console.log;
    const lines: string[] = [];
    const restore = routeConsoleTo((line) => lines.push(line));
    try {
      console.log("from a dependency", { n: 1 });
      console.info("info %d", 2);
      console.debug("debug");
    } finally {
      restore();
    }
    expect(lines).toEqual(["from a dependency { n: 1 }", "info 2", "debug"]);
    expect(console.log).toBe(original);
  });
});
