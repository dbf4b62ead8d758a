import { describe, expect, it } from "vitest";
import { type CallScope, createCallRouter } from "../../src/mcp/client/elicitation.js";

const scope = (): CallScope => ({ signal: new AbortController().signal, notes: [] });

describe("routing a server's request to the tool call in flight", () => {
  it("finds the call by its async context, even with other calls running", async () => {
    const router = createCallRouter();
    const a = scope();
    const b = scope();
    let release: () => void = () => {};
    const blocker = new Promise<void>((r) => {
      release = r;
    });
    const running = router.run(b, () => blocker);
    const seen = await router.run(a, async () => {
      await new Promise((r) => setTimeout(r, 1));
      return router.current();
    });
    expect(seen).toBe(a);
    release();
    await running;
  });

  it("outside any call's context: the one running call, or nobody when several run", async () => {
    const router = createCallRouter();
    expect(router.current()).toBeUndefined();
    const a = scope();
    const b = scope();
    let releaseA: () => void = () => {};
    const runA = router.run(a, () => new Promise<void>((r) => (releaseA = r)));
    expect(router.current()).toBe(a);
    let releaseB: () => void = () => {};
    const runB = router.run(b, () => new Promise<void>((r) => (releaseB = r)));
    expect(router.current()).toBeUndefined();
    releaseA();
    await runA;
    expect(router.current()).toBe(b);
    releaseB();
    await runB;
    expect(router.current()).toBeUndefined();
  });
});
