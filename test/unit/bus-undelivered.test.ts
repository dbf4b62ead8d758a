import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { OutboundMessage } from "../../src/core/bus/types.js";
import {
  DEFAULT_UNDELIVERED_POLICY,
  sendOrKeep,
  UndeliveredReplies,
} from "../../src/core/bus/undelivered.js";
import { tempHome } from "../helpers/cli.js";

const lines: string[] = [];
const log = {
  debug: () => {},
  info: (l: string) => lines.push(`info ${l}`),
  warn: (l: string) => lines.push(`warn ${l}`),
  error: (l: string) => lines.push(`error ${l}`),
};
const msg: OutboundMessage = { channel: "telegram", chatId: "42", text: "the answer", replyTo: "7" };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out; log: ${lines.join("\n")}`);
    await sleep(10);
  }
}

describe("UndeliveredReplies", () => {
  it("keeps a reply in a 0600 file and retries with backoff until it is sent", async () => {
    const dir = join(tempHome(), "undelivered");
    const tries: number[] = [];
    let failUntil = 3;
    const box = new UndeliveredReplies({
      dir,
      log,
      policy: { baseMs: 20, maxMs: 80, keepMs: 60 * 60_000 },
      send: async (m) => {
        tries.push(Date.now());
        expect(m).toEqual(msg);
        if (tries.length < failUntil) throw new Error("network down");
      },
    });
    const file = await box.keep(msg, new Error("network down"));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, "utf8")).msg).toEqual(msg);
    await until(() => !existsSync(file));
    expect(tries).toHaveLength(3);
    // The wait doubles: the second gap is longer than the first.
    expect(tries[2]! - tries[1]!).toBeGreaterThanOrEqual(35);
    failUntil = 0;
    await box.stop();
  });

  it("a reply kept by an earlier run is sent at the next start", async () => {
    const dir = join(tempHome(), "undelivered");
    const first = new UndeliveredReplies({
      dir,
      log,
      policy: { baseMs: 60_000, maxMs: 60_000, keepMs: 60 * 60_000 },
      send: async () => {
        throw new Error("down");
      },
    });
    await first.keep(msg, new Error("down"));
    await first.stop();
    const sent: OutboundMessage[] = [];
    const second = new UndeliveredReplies({ dir, log, send: async (m) => void sent.push(m) });
    expect(await second.resume()).toBe(1);
    await until(() => sent.length === 1);
    await until(() => readdirSync(dir).length === 0);
    await second.stop();
  });

  it("after keepMs it gives up loudly and keeps the file, never dropping it silently", async () => {
    const dir = join(tempHome(), "undelivered");
    let skew = 0;
    const box = new UndeliveredReplies({
      dir,
      log,
      now: () => Date.now() + skew,
      policy: { baseMs: 10, maxMs: 10, keepMs: 60 * 60_000 },
      send: async () => {
        skew += 30 * 60_000; // each try "takes" half an hour
        throw new Error("chat not found");
      },
    });
    const file = await box.keep(msg, new Error("chat not found"));
    await until(() => existsSync(`${file}.given-up`));
    expect(existsSync(file)).toBe(false);
    expect(
      lines.some(
        (l) =>
          l.startsWith("error ") &&
          l.includes("gave up delivering a reply to 42") &&
          l.includes(`${file}.given-up`),
      ),
    ).toBe(true);
    await box.stop();
  });

  it("by default retries for more than an hour, 30 s doubling to at most 10 min apart, then gives up", async () => {
    const dir = join(tempHome(), "undelivered");
    // A clock that jumps to each due time: the waits the box asks for are what is checked.
    let clock = 1_000_000;
    const tries: number[] = [];
    const box = new UndeliveredReplies({
      dir,
      log,
      now: () => clock,
      send: async () => {
        tries.push(clock);
        throw new Error("network down");
      },
    });
    const internals = box as unknown as { due: Map<string, number> };
    const file = await box.keep(msg, new Error("network down"));
    const start = clock;
    while (!existsSync(`${file}.given-up`)) {
      const due = [...internals.due.values()][0];
      if (due === undefined) break;
      const n = tries.length;
      clock = due;
      // The armed timer waits in real time; let it fire now.
      await (box as unknown as { retryDue(): Promise<void> }).retryDue();
      expect(tries.length).toBe(n + 1);
    }
    const gaps = tries.map((t, i) => t - (i === 0 ? start : tries[i - 1]!));
    expect(gaps.slice(0, 5)).toEqual([30_000, 60_000, 120_000, 240_000, 480_000]);
    expect(Math.max(...gaps)).toBe(10 * 60_000);
    // Still being retried after an hour; given up only after keepMs (24 h), loudly.
    expect(tries.filter((t) => t - start > 60 * 60_000).length).toBeGreaterThan(0);
    expect(tries.at(-1)! - start).toBeGreaterThanOrEqual(DEFAULT_UNDELIVERED_POLICY.keepMs);
    expect(DEFAULT_UNDELIVERED_POLICY.keepMs).toBeGreaterThanOrEqual(60 * 60_000);
    await box.stop();
  });
});

describe("sendOrKeep (cron, heartbeat and sub-agent messages)", () => {
  it("sends, and keeps what the channel cannot deliver instead of failing", async () => {
    const kept: OutboundMessage[] = [];
    let down = false;
    const sent: OutboundMessage[] = [];
    const deliver = sendOrKeep(
      async (m) => {
        if (down) throw new Error("ETIMEDOUT");
        sent.push(m);
      },
      {
        keep: async (m) => {
          kept.push(m);
          return "/q/1.json";
        },
      },
      log,
    );
    await deliver(msg);
    down = true;
    await deliver({ ...msg, text: "later" });
    expect(sent.map((m) => m.text)).toEqual(["the answer"]);
    expect(kept.map((m) => m.text)).toEqual(["later"]);
    expect(lines).toContain(
      "warn telegram: could not deliver a message to 42: ETIMEDOUT; kept in /q/1.json and retried",
    );
  });

  it("rejects, saying both, when the message cannot even be kept", async () => {
    const deliver = sendOrKeep(
      async () => {
        throw new Error("ETIMEDOUT");
      },
      {
        keep: async () => {
          throw new Error("ENOSPC: no space left on device");
        },
      },
      log,
    );
    await expect(deliver(msg)).rejects.toThrow(
      /could not deliver a message to 42: ETIMEDOUT; and it could not be kept for a retry: ENOSPC/,
    );
  });
});
