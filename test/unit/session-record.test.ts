import { describe, expect, it } from "vitest";
import { parseRecord } from "../../src/core/session/session-record.js";

const line = (value: unknown) => JSON.stringify(value);

describe("parseRecord (one line of a session file)", () => {
  it("keeps meta, torn-line markers and messages with a known role and text or typed parts", () => {
    for (const record of [
      { type: "meta", key: "cli:default", createdAt: "t" },
      { type: "torn-line-skipped", at: "t" },
      { type: "message", at: "t", message: { role: "user", content: "hi" } },
      { type: "message", at: "t", message: { role: "assistant", content: "", toolCalls: [] } },
      {
        type: "message",
        at: "t",
        message: { role: "tool", toolCallId: "1", toolName: "x", content: [{ type: "text", text: "ok" }] },
      },
      { type: "message", at: "t", message: { role: "user", content: [] }, extra: 1 },
    ]) {
      expect(parseRecord(line(record))).toEqual(record);
    }
  });

  it("skips a line that is not JSON or not a record", () => {
    for (const text of [
      "{not json",
      line(null),
      line([{ type: "meta" }]),
      line("meta"),
      line({ type: "other" }),
      line({ key: "no type" }),
      line({ type: "message", at: "t", message: null }),
      line({ type: "message", at: "t", message: [{ role: "user", content: "hi" }] }),
      line({ type: "message", at: "t", message: { role: "system", content: "hi" } }),
      line({ type: "message", at: "t", message: { content: "hi" } }),
      line({ type: "message", at: "t", message: { role: "user" } }),
      line({ type: "message", at: "t", message: { role: "user", content: 3 } }),
      line({ type: "message", at: "t", message: { role: "user", content: [{ text: "no type" }] } }),
      line({ type: "message", at: "t", message: { role: "user", content: [{ type: 1 }] } }),
      line({ type: "message", at: "t", message: { role: "user", content: ["text"] } }),
    ]) {
      expect(parseRecord(text), text).toBeUndefined();
    }
  });
});
