import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { NOT_RUNNING, outboxDir, sendThroughOutbox } from "../../src/core/bus/outbox-spool.js";
import { type OutboxWatcher, watchOutbox } from "../../src/core/bus/outbox-watcher.js";
import type { OutboundMessage } from "../../src/core/bus/types.js";
import { tempHome } from "../helpers/cli.js";

const watchers: OutboxWatcher[] = [];
afterEach(async () => {
  await Promise.all(watchers.splice(0).map((w) => w.stop()));
});

/** A profile home whose pid lock is held by a live process other than this one (the test runner's parent). */
function homeWithStart(holder: number = process.ppid): { dir: string; lockPath: string } {
  const home = tempHome("kavilo-outbox-");
  const lockPath = join(home, "kavilo.lock");
  writeFileSync(lockPath, JSON.stringify({ pid: holder, startedAt: new Date().toISOString() }));
  return { dir: outboxDir(home), lockPath };
}

const quiet = { info: () => {}, warn: () => {} };
const msg: OutboundMessage = { channel: "telegram", chatId: "42", text: "hello", threadId: "7" };

describe("the outbox spool between mcp serve self and kavilo start", () => {
  it("delivers a request through the running side's send and reports success", async () => {
    const opts = homeWithStart();
    const sent: OutboundMessage[] = [];
    watchers.push(await watchOutbox({ dir: opts.dir, send: async (m) => void sent.push(m), log: quiet }));
    await sendThroughOutbox(msg, { ...opts, timeoutMs: 5000 });
    expect(sent).toEqual([msg]);
    // Nothing is left behind, and the spool is private.
    expect(readdirSync(opts.dir)).toEqual([]);
    expect(statSync(opts.dir).mode & 0o077).toBe(0);
  });

  it("a send that fails comes back as its one-line error", async () => {
    const opts = homeWithStart();
    const send = async () => {
      throw new Error('channel "slack" is not configured or not enabled in this profile\nstack...');
    };
    watchers.push(await watchOutbox({ dir: opts.dir, send, log: quiet }));
    await expect(
      sendThroughOutbox({ ...msg, channel: "slack" }, { ...opts, timeoutMs: 5000 }),
    ).rejects.toThrow(/^channel "slack" is not configured or not enabled in this profile$/);
  });

  it("picks up requests written before it started (the periodic scan)", async () => {
    const opts = homeWithStart();
    const sent: OutboundMessage[] = [];
    const pending = sendThroughOutbox(msg, { ...opts, timeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 150));
    watchers.push(await watchOutbox({ dir: opts.dir, send: async (m) => void sent.push(m), log: quiet }));
    await pending;
    expect(sent).toHaveLength(1);
  });

  it("without a live kavilo start, says so at once and writes nothing", async () => {
    const none = homeWithStart();
    writeFileSync(none.lockPath, "");
    await expect(sendThroughOutbox(msg, none)).rejects.toThrow(NOT_RUNNING);
    const dead = homeWithStart(2 ** 22 + 12345);
    await expect(sendThroughOutbox(msg, dead)).rejects.toThrow(NOT_RUNNING);
    expect(existsSync(dead.dir)).toBe(false);
  });

  it("a start that never answers: a timeout, and the request is taken back", async () => {
    const opts = homeWithStart();
    await expect(sendThroughOutbox(msg, { ...opts, timeoutMs: 300 })).rejects.toThrow(
      "kavilo start did not pick up the message within 0.3 s; not sent",
    );
    expect(readdirSync(opts.dir)).toEqual([]);
  });
});
