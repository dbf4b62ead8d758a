import { describe, expect, it } from "vitest";
import { loadOnce } from "../../src/core/base/load-once.js";

describe("loadOnce", () => {
  it("runs the load once for concurrent and later callers", async () => {
    let runs = 0;
    const load = loadOnce(async () => ++runs);
    expect(await Promise.all([load(), load(), load()])).toEqual([1, 1, 1]);
    expect(await load()).toBe(1);
    expect(runs).toBe(1);
  });

  it("forgets a failure: every waiting caller sees it, the next call tries again", async () => {
    let runs = 0;
    const load = loadOnce(async () => {
      runs++;
      if (runs === 1) throw new Error("chunk missing");
      return "loaded";
    });
    const first = await Promise.allSettled([load(), load()]);
    expect(first.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(runs).toBe(1);
    expect(await load()).toBe("loaded");
    expect(await load()).toBe("loaded");
    expect(runs).toBe(2);
  });
});
