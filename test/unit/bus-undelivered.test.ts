import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { OutboundMessage } from "../../src/core/bus/types.js";
import { UndeliveredReplies } from "../../src/core/bus/undelivered.js";
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
});
