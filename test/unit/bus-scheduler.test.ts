import { describe, expect, it } from "vitest";
import { SchedulerClosedError, SessionScheduler } from "../../src/core/bus/session-scheduler.js";

const tick = () => new Promise((r) => setTimeout(r, 0));

/** A task that waits until released, recording when it started. */
function gate(log: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  return {
    release,
    task: async (signal: AbortSignal) => {
      log.push(`start ${name}`);
      await Promise.race([done, new Promise((r) => signal.addEventListener("abort", r))]);
      log.push(`${signal.aborted ? "aborted" : "end"} ${name}`);
      return name;
    },
  };
}

describe("SessionScheduler", () => {
  it("runs one session's tasks strictly in order and never drops a waiting one", async () => {
    const s = new SessionScheduler(4);
    const log: string[] = [];
    const a1 = gate(log, "a1");
    const a2 = gate(log, "a2");
    const p1 = s.run("a", a1.task);
    const p2 = s.run("a", a2.task);
    await tick();
    expect(log).toEqual(["start a1"]);
    a2.release(); // released early, but must still wait for a1
    await tick();
    expect(log).toEqual(["start a1"]);
    a1.release();
    expect(await p1).toBe("a1");
    expect(await p2).toBe("a2");
    expect(log).toEqual(["start a1", "end a1", "start a2", "end a2"]);
  });

  it("runs different sessions concurrently up to the limit, the rest wait their turn", async () => {
    const s = new SessionScheduler(2);
    const log: string[] = [];
    const gates = ["a", "b", "c"].map((k) => gate(log, k));
    const runs = gates.map((g, i) => s.run(["a", "b", "c"][i]!, g.task));
    await tick();
    expect(log).toEqual(["start a", "start b"]);
    expect(s.activeCount).toBe(2);
    gates[1]!.release();
    await runs[1];
    await tick();
    expect(log).toContain("start c");
    gates[0]!.release();
    gates[2]!.release();
    await Promise.all(runs);
    await s.idle();
  });

  it("a busy session goes to the back of the line so others are not starved", async () => {
    const s = new SessionScheduler(1);
    const order: string[] = [];
    const task = (name: string) => async () => void order.push(name);
    const all = [
      s.run("a", task("a1")),
      s.run("a", task("a2")),
      s.run("b", task("b1")),
      s.run("a", task("a3")),
    ];
    await Promise.all(all);
    expect(order).toEqual(["a1", "b1", "a2", "a3"]);
  });

  it("abort() stops the running task of one session only", async () => {
    const s = new SessionScheduler(4);
    const log: string[] = [];
    const a = gate(log, "a");
    const b = gate(log, "b");
    const pa = s.run("a", a.task);
    const pb = s.run("b", b.task);
    await tick();
    expect(s.abort("a")).toBe(true);
    expect(s.abort("nobody")).toBe(false);
    await pa;
    expect(log).toContain("aborted a");
    expect(log).not.toContain("aborted b");
    b.release();
    await pb;
  });

  it("dropPending rejects what never started; abortAll ends the rest; idle resolves", async () => {
    const s = new SessionScheduler(1);
    const log: string[] = [];
    const a = gate(log, "a");
    const pa = s.run("a", a.task);
    const pb = s.run("b", async () => "b");
    await tick();
    expect(s.pendingCount).toBe(1);
    expect(s.dropPending()).toBe(1);
    await expect(pb).rejects.toBeInstanceOf(SchedulerClosedError);
    expect(s.abortAll()).toBe(1);
    await pa;
    await s.idle();
    expect(log).toEqual(["start a", "aborted a"]);
  });

  it("a task that throws rejects its caller and the session goes on", async () => {
    const s = new SessionScheduler(1);
    const failing = s.run("a", async () => {
      throw new Error("boom");
    });
    const next = s.run("a", async () => "next");
    await expect(failing).rejects.toThrow("boom");
    expect(await next).toBe("next");
  });
});
