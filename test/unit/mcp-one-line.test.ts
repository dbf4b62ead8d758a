import { describe, expect, it } from "vitest";
import { describeFailure, oneLine } from "../../src/mcp/client/one-line.js";

const page = `<!DOCTYPE html>
<html><head><title>502 Bad Gateway</title><style>h1 { color: red }</style>
<script>var x = "<b>";</script></head>
<body>
  <h1>502   Bad
  Gateway</h1>${"<p>filler text</p>\n".repeat(40)}
</body></html>`;

describe("one-line failure reasons", () => {
  it("strips markup, scripts and styles, collapses whitespace and caps at 200", () => {
    const line = oneLine(`Raw body: ${page}`);
    expect(line.startsWith("Raw body: 502 Bad Gateway 502 Bad Gateway filler text")).toBe(true);
    expect(line).not.toMatch(/[<>\n]|color|var x/);
    expect(line.length).toBe(200);
    expect(line.endsWith("…")).toBe(true);
  });

  it("puts the HTTP status of the SDK's transport errors first", () => {
    const err = Object.assign(new Error(`Streamable HTTP error: Error POSTing to endpoint: ${page}`), {
      code: 502,
    });
    expect(describeFailure(err)).toMatch(/^HTTP 502: Error POSTing to endpoint: 502 Bad Gateway/);
  });

  it("names the socket error under fetch failed", () => {
    const cause = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" });
    expect(describeFailure(new TypeError("fetch failed", { cause }))).toBe("fetch failed (ECONNREFUSED)");
    const nested = new AggregateError([cause], "");
    expect(describeFailure(new TypeError("fetch failed", { cause: nested }))).toBe(
      "fetch failed (ECONNREFUSED)",
    );
  });
});
