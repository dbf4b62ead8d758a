import { readFile, writeFile } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatDuration, formatTokens, shortArgs } from "../../src/cli/tui/format.js";
import {
  bufferOf,
  continueLine,
  insert,
  killToLineStart,
  moveDown,
  moveLineEnd,
  moveLineStart,
  moveUp,
} from "../../src/cli/tui/input-buffer.js";
import {
  appendHistory,
  historyCursor,
  historyNext,
  historyPrev,
  historyPush,
  loadHistory,
} from "../../src/cli/tui/input-history.js";
import { finishedBlocksLength } from "../../src/cli/tui/markdown-blocks.js";
import { applyEvent, newTurn, takeFinished } from "../../src/cli/tui/turn-state.js";
import { tempHome } from "./tui-harness.js";

let home: Awaited<ReturnType<typeof tempHome>>;
beforeEach(async () => {
  home = await tempHome();
});
afterEach(async () => {
  await home.dispose();
});

describe("input buffer", () => {
  it("moves between lines keeping the column, and reports the edges", () => {
    const b = { text: "abcd\nxy\nlonger", cursor: 3 };
    expect(moveUp(b)).toBeNull();
    const down = moveDown(b)!;
    expect(down.cursor).toBe(7); // clamped to the end of "xy"
    expect(moveDown(down)!.cursor).toBe(10);
    expect(moveDown({ ...b, cursor: 12 })).toBeNull();
    expect(moveLineStart({ ...b, cursor: 6 }).cursor).toBe(5);
    expect(moveLineEnd({ ...b, cursor: 5 }).cursor).toBe(7);
    expect(killToLineStart({ ...b, cursor: 6 })).toEqual({ text: "abcd\ny\nlonger", cursor: 5 });
  });

  it("continues a line ending in a backslash only when the cursor is at its end", () => {
    expect(continueLine(bufferOf("run \\"))).toEqual({ text: "run \n", cursor: 5 });
    expect(continueLine(bufferOf("no slash"))).toBeNull();
    expect(continueLine({ text: "a\\b", cursor: 2 })).toBeNull();
    expect(insert(bufferOf("x"), "1\r\n2\r3")).toEqual({ text: "x1\n2\n3", cursor: 6 });
  });
});

describe("input history", () => {
  it("loads JSON lines, skips torn or non-string lines, keeps the newest up to the cap", async () => {
    const file = `${home.dir}/h`;
    await writeFile(file, '"one"\n{"not":"a string"}\n"two"\n"multi\\nline"\n"tor');
    expect(await loadHistory(file)).toEqual(["one", "two", "multi\nline"]);
    expect(await loadHistory(file, 2)).toEqual(["two", "multi\nline"]);
    expect(await loadHistory(`${home.dir}/missing`)).toEqual([]);
  });

  it("compacts a file that grew past twice the cap", async () => {
    const file = `${home.dir}/sub/h`;
    for (let i = 0; i < 7; i++) await appendHistory(file, `e${i}`);
    expect(await loadHistory(file, 3)).toEqual(["e4", "e5", "e6"]);
    expect(await readFile(file, "utf8")).toBe('"e4"\n"e5"\n"e6"\n');
  });

  it("walks back and forth and restores the draft", () => {
    let h = historyPush(historyPush(historyCursor([]), "a"), "b");
    h = historyPush(h, "b");
    expect(h.entries).toEqual(["a", "b"]);
    const p1 = historyPrev(h, "draft")!;
    expect(p1.text).toBe("b");
    const p2 = historyPrev(p1.cursor, "b")!;
    expect(p2.text).toBe("a");
    expect(historyPrev(p2.cursor, "a")).toBeNull();
    const n1 = historyNext(p2.cursor)!;
    expect(n1.text).toBe("b");
    expect(historyNext(n1.cursor)!.text).toBe("draft");
  });
});

describe("turn state", () => {
  it("keeps only unfinished entries live: the streaming text and running tools", () => {
    let t = newTurn(1);
    t = applyEvent(t, { type: "text-delta", text: "Let me " }, 0);
    t = applyEvent(t, { type: "text-delta", text: "look." }, 0);
    let split = takeFinished(t);
    expect(split.done).toEqual([]);
    t = applyEvent(t, { type: "tool-call-start", id: "x", name: "glob_files", args: {} }, 100);
    split = takeFinished(t);
    expect(split.done.map((e) => e.kind === "assistant" && e.text)).toEqual(["Let me look."]);
    t = split.turn;
    expect(takeFinished(t).done).toEqual([]);
    t = applyEvent(
      t,
      { type: "tool-call-end", id: "x", name: "glob_files", ok: true, output: "", durationMs: 5 },
      105,
    );
    expect(takeFinished(t).done).toMatchObject([{ kind: "tool", state: "done", durationMs: 5 }]);
  });

  it("moves finished markdown blocks of streaming text to the transcript, keeping the last block live", () => {
    let t = applyEvent(newTurn(4), { type: "text-delta", text: "para one\nline two\n\n- a\n- b\n\n" }, 0);
    // The list is the last block and may still grow.
    let split = takeFinished(t);
    expect(split.done.map((e) => e.kind === "assistant" && e.text)).toEqual(["para one\nline two\n\n"]);
    t = applyEvent(split.turn, { type: "text-delta", text: "```js\nx\n\ny" }, 0);
    split = takeFinished(t);
    expect(split.done.map((e) => e.kind === "assistant" && e.text)).toEqual(["- a\n- b\n\n"]);
    // An unclosed code fence is one block however many blank lines it holds.
    expect(split.turn.entries).toMatchObject([{ kind: "assistant", text: "```js\nx\n\ny" }]);
    expect(new Set([...split.done, ...split.turn.entries].map((e) => e.id)).size).toBe(2);
    t = applyEvent(
      split.turn,
      { type: "turn-end", reason: "stop", text: "whole", usage: { input: 0, output: 0 }, iterations: 1 },
      0,
    );
    // The final text is not appended again when what streamed already left the live turn.
    expect(takeFinished(t).done.map((e) => e.kind === "assistant" && e.text)).toEqual(["```js\nx\n\ny"]);
    expect(finishedBlocksLength("one paragraph\nstill the same one")).toBe(0);
    expect(finishedBlocksLength("[a]: http://x\n\nsee [a]\n\nmore")).toBe(0);
  });

  it("ends with the final text when nothing streamed, and marks running tools interrupted", () => {
    let t = applyEvent(newTurn(2), { type: "tool-call-start", id: "y", name: "shell", args: {} }, 0);
    t = applyEvent(
      t,
      { type: "turn-end", reason: "aborted", text: "", usage: { input: 1, output: 2 }, iterations: 1 },
      2500,
    );
    expect(takeFinished(t).done).toMatchObject([
      { kind: "tool", state: "interrupted", durationMs: 2500 },
      { kind: "note", text: "interrupted" },
    ]);
    const quiet = applyEvent(
      newTurn(3),
      { type: "turn-end", reason: "stop", text: "final", usage: { input: 0, output: 0 }, iterations: 1 },
      0,
    );
    expect(quiet.entries).toMatchObject([{ kind: "assistant", text: "final" }]);
  });
});

describe("formatting", () => {
  it("shortens tool arguments to one line and never throws on odd values", () => {
    expect(shortArgs({ path: "a.ts", text: "x\ny" }, 100)).toBe('path="a.ts", text="x y"');
    expect(shortArgs({ n: 10n }, 100)).toBe("n=10");
    expect(shortArgs({ long: "z".repeat(50) }, 20)).toHaveLength(20);
    expect(formatDuration(1234)).toBe("1.2s");
    expect(formatDuration(125_000)).toBe("2m05s");
    expect(formatTokens(12_345)).toBe("12k");
    expect(formatTokens(1_250)).toBe("1.3k");
  });
});
