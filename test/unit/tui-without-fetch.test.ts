import { describe, expect, it } from "vitest";
import { withoutFetch } from "../../src/cli/tui/without-fetch.js";

describe("loading the TUI without touching fetch", () => {
  it("yoga decodes its WebAssembly itself while fetch is hidden, and fetch comes back unchanged", async () => {
    const calls: string[] = [];
    const spy = async (input: unknown) => {
      calls.push(String(input).slice(0, 30));
      throw new Error("fetch must not be used while the TUI loads");
    };
    const before = Object.getOwnPropertyDescriptor(globalThis, "fetch");
    Object.defineProperty(globalThis, "fetch", { value: spy, configurable: true, writable: true });
    try {
      const yoga = await withoutFetch(() => import("yoga-layout"));
      expect(typeof yoga.default.Node.create).toBe("function");
      expect(calls).toEqual([]);
      expect(globalThis.fetch).toBe(spy);
    } finally {
      if (before) Object.defineProperty(globalThis, "fetch", before);
    }
  });

  it("puts the lazy getter back without calling it", async () => {
    const before = Object.getOwnPropertyDescriptor(globalThis, "fetch");
    let reads = 0;
    Object.defineProperty(globalThis, "fetch", {
      configurable: true,
      get() {
        reads++;
        return undefined;
      },
    });
    try {
      await withoutFetch(async () => expect(typeof globalThis.fetch).toBe("undefined"));
      expect(reads).toBe(0);
      expect(Object.getOwnPropertyDescriptor(globalThis, "fetch")?.get).toBeTypeOf("function");
    } finally {
      if (before) Object.defineProperty(globalThis, "fetch", before);
    }
  });
});
