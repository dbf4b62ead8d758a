import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../../src/core/agent/agent.js";
import type { AgentEvent } from "../../src/core/agent/events.js";
import { SessionFileError, SessionStore } from "../../src/core/session/session-store.js";
import { ToolRegistry } from "../../src/core/tools/registry.js";
import { UsageLog } from "../../src/core/usage.js";
import type { Provider } from "../../src/providers/types.js";

const tmp = () => realpathSync(mkdtempSync(join(tmpdir(), "kavilo-disk-")));

describe("session lines that parse as JSON but are not messages", () => {
  it("are skipped with a warning each, and the session goes on", async () => {
    const dir = tmp();
    const store = new SessionStore(dir);
    const ok = (content: string) =>
      JSON.stringify({ type: "message", at: "t", message: { role: "user", content } });
    writeFileSync(
      store.fileOf("s"),
      [
        JSON.stringify({ type: "meta", key: "s", createdAt: "t" }),
        ok("first"),
        JSON.stringify({ type: "message", at: "t", message: null }),
        JSON.stringify({ type: "message", at: "t", message: { role: "wizard", content: "x" } }),
        "42",
        '"just a string"',
        "null",
        JSON.stringify({ type: "message", at: "t", message: { role: "assistant", content: 7 } }),
        ok("second"),
        "",
      ].join("\n"),
    );
    const loaded = await store.load("s");
    expect(loaded.messages).toEqual([
      { role: "user", content: "first" },
      { role: "user", content: "second" },
    ]);
    expect(loaded.warnings).toHaveLength(6);
    expect(loaded.warnings[0]).toBe(`skipped corrupt line 3 in ${store.fileOf("s")}`);
    // The session goes on: an append after it is read back with everything valid.
    await store.append("s", [{ role: "assistant", content: "third" }]);
    expect((await new SessionStore(dir).load("s")).messages.at(-1)).toEqual({
      role: "assistant",
      content: "third",
    });
  });
});

describe("a session path that is a folder", () => {
  it("is an error naming the path, on load and on append", async () => {
    const store = new SessionStore(tmp());
    mkdirSync(store.fileOf("s"), { recursive: true });
    await expect(store.load("s")).rejects.toThrow(SessionFileError);
    await expect(store.load("s")).rejects.toThrow(`the session file ${store.fileOf("s")} is a folder`);
    await expect(store.append("s", [{ role: "user", content: "x" }])).rejects.toThrow(store.fileOf("s"));
    // Listing the sessions skips it instead of failing on it.
    await store.append("other", [{ role: "user", content: "y" }]);
    expect((await store.list()).map((i) => i.key)).toEqual(["other"]);
  });

  it("ends the turn with that one line, not an internal error", async () => {
    const dir = tmp();
    const sessions = new SessionStore(join(dir, "sessions"));
    mkdirSync(sessions.fileOf("s"), { recursive: true });
    const provider: Provider = {
      id: "p",
      async *stream() {
        yield { type: "text-delta", text: "hi" };
        yield { type: "finish", reason: "stop" };
      },
    };
    const agent = new Agent({
      provider,
      providerName: "p",
      model: "m",
      tools: new ToolRegistry(),
      sessions,
      usage: new UsageLog(join(dir, "usage")),
      workspace: dir,
      restrictToWorkspace: true,
      maxIterations: 3,
      buildSystem: async () => "system",
    });
    const evs: AgentEvent[] = [];
    for await (const e of agent.runTurn({ sessionKey: "s", input: "hello" })) evs.push(e);
    const err = evs.find((e) => e.type === "error");
    expect(err).toMatchObject({
      type: "error",
      message: `the session file ${sessions.fileOf("s")} is a folder; move it away so the session can start fresh`,
    });
    expect(err && "code" in err ? err.code : undefined).toBeUndefined();
  });
});

/** A real full disk: a 64 KiB tmpfs (needs root, as CI runs; skipped elsewhere). */
let disk: string | undefined;
beforeAll(() => {
  const dir = tmp();
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir], { stdio: "ignore" });
    disk = dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
  }
});
afterAll(() => {
  if (disk) execFileSync("umount", [disk]);
});

/** Fills the tmpfs until fewer than `leave` bytes are free. */
function fill(dir: string, leave: number): void {
  const free = Number(execFileSync("df", ["-B1", "--output=avail", dir]).toString().trim().split("\n")[1]);
  writeFileSync(join(dir, "filler"), Buffer.alloc(Math.max(0, free - leave)));
}

describe("a full disk while saving", () => {
  it("says so in one line naming the file and leaves no torn line in the session", async (ctx) => {
    if (!disk) return ctx.skip();
    const dir = join(disk, "s1");
    const store = new SessionStore(dir);
    await store.append("s", [{ role: "user", content: "before" }]);
    const before = readFileSync(store.fileOf("s"), "utf8");
    fill(disk, 8 * 1024);
    const big = "x".repeat(40 * 1024);
    await expect(store.append("s", [{ role: "assistant", content: big }])).rejects.toThrow(
      `disk full: the answer was shown but not saved to ${store.fileOf("s")}`,
    );
    expect(readFileSync(store.fileOf("s"), "utf8")).toBe(before);
    const loaded = await new SessionStore(dir).load("s");
    expect(loaded.warnings).toEqual([]);
    rmSync(join(disk, "filler"));
  });

  it("a usage record that cannot be written is an error naming the file, with no torn line", async (ctx) => {
    if (!disk) return ctx.skip();
    const usage = new UsageLog(join(disk, "usage"));
    const at = new Date("2026-01-02T03:04:05Z");
    const entry = {
      provider: "p",
      model: "m".repeat(30 * 1024),
      session: "s",
      usage: { input: 1, output: 2 },
      at,
    };
    await usage.record({ ...entry, model: "small" });
    fill(disk, 8 * 1024);
    await expect(usage.record(entry)).rejects.toThrow(
      `disk full: a usage record was not saved to ${join(disk, "usage", "2026-01-02.jsonl")}`,
    );
    const text = readFileSync(join(disk, "usage", "2026-01-02.jsonl"), "utf8");
    expect(text.endsWith("\n")).toBe(true);
    expect(text.trim().split("\n")).toHaveLength(1);
    rmSync(join(disk, "filler"));
  });
});
