import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  pairToolResults,
  recentHistory,
  SessionStore,
  sessionFileName,
} from "../../src/core/session/session-store.js";
import type { Message } from "../../src/providers/types.js";
import { tempHome } from "../helpers/cli.js";

const user = (text: string): Message => ({ role: "user", content: text });

describe("SessionStore", () => {
  it("appends JSONL with a meta line and reads it back", async () => {
    const store = new SessionStore(join(tempHome(), "sessions"));
    await store.append("telegram:42", [user("a"), { role: "assistant", content: "b" }]);
    await store.append("telegram:42", [user("c")]);
    expect((await store.load("telegram:42")).messages.map((m) => m.content)).toEqual(["a", "b", "c"]);
    const lines = readFileSync(store.fileOf("telegram:42"), "utf8").trim().split("\n");
    expect(JSON.parse(lines[0]!)).toMatchObject({ type: "meta", key: "telegram:42" });
    expect(lines).toHaveLength(4);
  });

  it("sees what another process appended (the cache is checked against the file)", async () => {
    const dir = join(tempHome(), "sessions");
    const mine = new SessionStore(dir);
    const other = new SessionStore(dir);
    await mine.append("k", [user("one")]);
    expect((await mine.load("k")).messages).toHaveLength(1);
    await other.append("k", [user("two")]);
    expect((await mine.load("k")).messages.map((m) => m.content)).toEqual(["one", "two"]);
    await mine.append("k", [user("three")]);
    expect((await other.load("k")).messages.map((m) => m.content)).toEqual(["one", "two", "three"]);
  });

  it("skips a torn last line with a warning, and the next append starts on a new line", async () => {
    const store = new SessionStore(join(tempHome(), "sessions"));
    await store.append("k", [user("kept")]);
    appendFileSync(store.fileOf("k"), '{"type":"message","at":"2026-11-21T00:');
    const torn = new SessionStore(store.dir);
    const loaded = await torn.load("k");
    expect(loaded.messages.map((m) => m.content)).toEqual(["kept"]);
    expect(loaded.warnings[0]).toMatch(/torn last line/);
    await torn.append("k", [user("after")]);
    const again = await new SessionStore(store.dir).load("k");
    expect(again.messages.map((m) => m.content)).toEqual(["kept", "after"]);
    // Reported once: the marker written after the torn line keeps later loads quiet.
    expect(again.warnings).toEqual([]);
    await new SessionStore(store.dir).append("k", [user("later")]);
    expect((await new SessionStore(store.dir).load("k")).warnings).toEqual([]);
    expect((await new SessionStore(store.dir).list())[0]?.messages).toBe(3);
  });

  it("a corrupt line in the middle is skipped; the rest is kept", async () => {
    const store = new SessionStore(join(tempHome(), "sessions"));
    await store.append("k", [user("a")]);
    appendFileSync(store.fileOf("k"), "not json\n");
    await new SessionStore(store.dir).append("k", [user("b")]);
    const loaded = await new SessionStore(store.dir).load("k");
    expect(loaded.messages.map((m) => m.content)).toEqual(["a", "b"]);
    expect(loaded.warnings[0]).toMatch(/corrupt line 3/);
  });

  it("reset archives the file and starts fresh; list reports keys", async () => {
    const store = new SessionStore(join(tempHome(), "sessions"));
    await store.append("cli:default", [user("old")]);
    await store.append("slack:C1:1.2", [user("x")]);
    const archived = await store.reset("cli:default");
    expect(archived).toContain(join("sessions", "archive"));
    expect(readFileSync(archived!, "utf8")).toContain("old");
    expect((await store.load("cli:default")).messages).toEqual([]);
    expect((await store.list()).map((s) => s.key)).toEqual(["slack:C1:1.2"]);
  });

  it("file names are safe and distinct per key", () => {
    expect(sessionFileName("cli_default")).toBe("cli_default.jsonl");
    expect(sessionFileName("cli:default")).not.toBe(sessionFileName("cli_default"));
    expect(sessionFileName("../../etc/passwd")).not.toContain("/");
  });

  it("recentHistory starts at a user message so no tool result loses its call", () => {
    const msgs: Message[] = [
      user("q1"),
      { role: "assistant", content: "", toolCalls: [{ id: "t", name: "x", args: {} }] },
      { role: "tool", toolCallId: "t", toolName: "x", content: "r" },
      { role: "assistant", content: "a1" },
      user("q2"),
      { role: "assistant", content: "a2" },
    ];
    expect(recentHistory(msgs, 4)).toEqual(msgs.slice(4));
    expect(recentHistory(msgs, 10)).toEqual(msgs);
  });

  it("a tool call whose result was torn off gets an interrupted error result; stray results are dropped", () => {
    const call = (id: string) => ({ id, name: "shell", args: {} });
    const result = (id: string): Message => ({
      role: "tool",
      toolCallId: id,
      toolName: "shell",
      content: "r",
    });
    const msgs: Message[] = [
      user("q"),
      { role: "tool", toolCallId: "stray", toolName: "shell", content: "no call" },
      { role: "assistant", content: "", toolCalls: [call("a"), call("b")] },
      result("a"),
      result("zz"),
      user("next"),
    ];
    const paired = pairToolResults(msgs);
    expect(paired.map((m) => (m.role === "tool" ? `tool:${m.toolCallId}` : m.role))).toEqual([
      "user",
      "assistant",
      "tool:a",
      "tool:b",
      "user",
    ]);
    expect(paired[3]).toMatchObject({
      isError: true,
      toolName: "shell",
      content: expect.stringMatching(/interrupted/),
    });
    const whole: Message[] = [
      user("q"),
      { role: "assistant", content: "", toolCalls: [call("a")] },
      result("a"),
    ];
    expect(pairToolResults(whole)).toBe(whole);
  });

  it("a session whose tool result line was torn loads into a history every model API accepts", async () => {
    const store = new SessionStore(join(tempHome(), "sessions"));
    await store.append("k", [
      user("run it"),
      {
        role: "assistant",
        content: "",
        toolCalls: [{ id: "call_1", name: "shell", args: { command: "ls" } }],
      },
    ]);
    appendFileSync(
      store.fileOf("k"),
      '{"type":"message","at":"2026-11-21T00:00:00Z","message":{"role":"tool","tool',
    );
    const loaded = await new SessionStore(store.dir).load("k");
    const history = recentHistory(loaded.messages, 200);
    expect(history.at(-1)).toMatchObject({ role: "tool", toolCallId: "call_1", isError: true });
  });
});
