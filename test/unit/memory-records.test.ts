import { describe, expect, it } from "vitest";
import { parseState } from "../../src/core/memory/memory-state.js";
import { parseSaveMemoryArgs } from "../../src/core/memory/save-memory.js";

describe("parseState (a session's .memory.json)", () => {
  it("reads the record, an absent count as 0, and keeps only its own fields", () => {
    expect(parseState({ consolidated: 4, messages: 10, calibration: 1.3 })).toEqual({
      consolidated: 4,
      messages: 10,
      calibration: 1.3,
    });
    expect(parseState({})).toEqual({ consolidated: 0, messages: 0 });
    expect(parseState({ consolidated: 2, other: "x" })).toEqual({ consolidated: 2, messages: 0 });
  });

  it("a damaged record is unusable as a whole", () => {
    for (const value of [
      null,
      [],
      "x",
      { consolidated: -1 },
      { consolidated: 1.5 },
      { consolidated: "3" },
      { messages: 2 ** 53 },
      { calibration: 0 },
      { calibration: -2 },
      { calibration: "1" },
      { calibration: null },
    ]) {
      expect(parseState(value), JSON.stringify(value)).toBeUndefined();
    }
  });
});

describe("parseSaveMemoryArgs (the model's save_memory call)", () => {
  it("trims the entry and keeps the memory as given", () => {
    expect(
      parseSaveMemoryArgs({ history_entry: "  [2026-01-01 10:00] did x \n", memory_update: " # M\n" }),
    ).toEqual({
      history_entry: "[2026-01-01 10:00] did x",
      memory_update: " # M\n",
    });
    expect(parseSaveMemoryArgs({ history_entry: "e", memory_update: "", extra: 1 })).toEqual({
      history_entry: "e",
      memory_update: "",
    });
  });

  it("needs both as text and an entry that is not blank", () => {
    for (const args of [
      undefined,
      null,
      "text",
      {},
      { history_entry: "e" },
      { memory_update: "m" },
      { history_entry: " \n ", memory_update: "m" },
      { history_entry: 1, memory_update: "m" },
      { history_entry: "e", memory_update: null },
    ]) {
      expect(parseSaveMemoryArgs(args), JSON.stringify(args)).toBeUndefined();
    }
  });
});
