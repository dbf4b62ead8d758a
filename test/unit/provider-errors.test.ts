import { describe, expect, it } from "vitest";
import { describeCause } from "../../src/providers/errors.js";

describe("describeCause", () => {
  it("joins an error and its causes into one line without sentence stops inside", () => {
    const root = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
    const err = new Error("Connection error.", { cause: new Error("fetch failed", { cause: root }) });
    expect(describeCause(err)).toBe(
      "Connection error: fetch failed: connect ECONNREFUSED 127.0.0.1:1 (ECONNREFUSED)",
    );
  });
});
