import { afterEach, describe, expect, it, vi } from "vitest";
import {
  createHeartbeat,
  HEARTBEAT_PROMPT,
  type Heartbeat,
  isHeartbeatOk,
} from "../../src/core/heartbeat/heartbeat.js";

const logs: string[] = [];
const log = {
  info: (m: string) => logs.push(`info ${m}`),
  warn: (m: string) => logs.push(`warn ${m}`),
  error: (m: string) => logs.push(`error ${m}`),
};

let hb: Heartbeat | undefined;
afterEach(async () => {
  await hb?.stop();
  hb = undefined;
  logs.length = 0;
});

/** Real timers shrunk: every interval fires after 1 ms; counts the ticks it started. */
function fastTimers() {
  const state = { fired: 0 };
  return {
    state,
    setTimer: (fn: () => void, _ms: number) =>
      setTimeout(() => {
        state.fired++;
        fn();
      }, 1),
    clearTimer: (h: unknown) => clearTimeout(h as NodeJS.Timeout),
  };
}

function make(
  content: string | undefined,
  answer: string | (() => Promise<string>),
  where: { hasTarget?: () => boolean; sent?: boolean } = {},
) {
  const prompts: string[] = [];
  const delivered: string[] = [];
  const timers = fastTimers();
  hb = createHeartbeat({
    intervalS: 1800,
    readHeartbeat: async () => content,
    runTurn: async (prompt) => {
      prompts.push(prompt);
      return typeof answer === "string" ? answer : answer();
    },
    deliver: async (text) => {
      delivered.push(text);
      return where.sent ?? true;
    },
    ...(where.hasTarget ? { hasTarget: where.hasTarget } : {}),
    setTimer: timers.setTimer,
    clearTimer: timers.clearTimer,
    log,
  });
  return { hb, prompts, delivered, timers };
}

describe("heartbeat", () => {
  it("never calls the model while HEARTBEAT.md has nothing to do", async () => {
    for (const content of [undefined, "", "# Heartbeat\n<!-- tasks go here -->\n- [ ]\n"]) {
      const h = make(content, "should not be asked");
      h.hb.start();
      await vi.waitFor(() => expect(h.timers.state.fired).toBeGreaterThanOrEqual(4));
      await h.hb.stop();
      expect(h.prompts).toEqual([]);
      expect(h.delivered).toEqual([]);
    }
  });

  it("runs a turn with the file content and delivers the answer", async () => {
    const h = make("- [ ] tell me to stretch", "Time to stretch!");
    expect(await h.hb.tick()).toBe("delivered");
    expect(h.prompts).toHaveLength(1);
    expect(h.prompts[0]).toContain(HEARTBEAT_PROMPT);
    expect(h.prompts[0]).toContain("- [ ] tell me to stretch");
    expect(h.delivered).toEqual(["Time to stretch!"]);
  });

  it("ticks on its timer", async () => {
    const h = make("- check mail", "You have 2 new mails.");
    h.hb.start();
    await vi.waitFor(() => expect(h.delivered.length).toBeGreaterThanOrEqual(2));
    await h.hb.stop();
    const count = h.delivered.length;
    await new Promise((r) => setTimeout(r, 20));
    expect(h.delivered.length).toBe(count);
  });

  it.each(["HEARTBEAT_OK", "  HEARTBEAT_OK\n", "**HEARTBEAT_OK**", "`HEARTBEAT_OK`.", '"HEARTBEAT_OK"', ""])(
    "delivers nothing for %j",
    async (answer) => {
      const h = make("- [ ] water plants", answer);
      expect(await h.hb.tick()).toBe("ok");
      expect(h.prompts).toHaveLength(1);
      expect(h.delivered).toEqual([]);
    },
  );

  it("recognises only the bare token as nothing to do", () => {
    expect(isHeartbeatOk("_HEARTBEAT_OK_")).toBe(true);
    expect(isHeartbeatOk("HEARTBEAT_OK but also water the plants")).toBe(false);
    expect(isHeartbeatOk("HEARTBEATOK")).toBe(false);
  });

  it("skips a tick that overlaps one still running", async () => {
    let release!: (v: string) => void;
    const h = make("- do a slow thing", () => new Promise<string>((r) => (release = r)));
    const first = h.hb.tick();
    await vi.waitFor(() => expect(h.prompts).toHaveLength(1));
    expect(await h.hb.tick()).toBe("busy");
    release("done");
    expect(await first).toBe("delivered");
    expect(h.prompts).toHaveLength(1);
  });

  it("logs a failing turn and keeps going", async () => {
    let calls = 0;
    const h = make("- something", async () => {
      calls++;
      if (calls === 1) throw new Error("provider down");
      return "recovered";
    });
    expect(await h.hb.tick()).toBe("error");
    expect(logs.some((l) => l.startsWith("error") && l.includes("provider down"))).toBe(true);
    expect(await h.hb.tick()).toBe("delivered");
    expect(h.delivered).toEqual(["recovered"]);
  });

  it("with no target makes no model call and says so once per start", async () => {
    const h = make("- [ ] water the plants", "Water them now", { hasTarget: () => false });
    expect(await h.hb.tick()).toBe("no-target");
    expect(await h.hb.tick()).toBe("no-target");
    expect(h.prompts).toEqual([]);
    expect(logs.filter((l) => l.includes("no target yet"))).toHaveLength(1);
  });

  it("does not claim a delivery that did not happen", async () => {
    const h = make("- [ ] water the plants", "Water them now", { sent: false });
    expect(await h.hb.tick()).toBe("no-target");
    expect(logs.some((l) => l.includes("delivered a message"))).toBe(false);
  });
});
