import type { statfs } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { collectChecks, runChecks, worstStatus } from "../../src/diagnostics/run.js";
import { diskSpaceCheck, nodeVersionCheck } from "../../src/diagnostics/system.js";
import type { Check, Probe } from "../../src/diagnostics/types.js";

const probe = (id: string, ms: number, result: Partial<Check> | Error, network = false): Probe => ({
  id,
  area: "system",
  network,
  timeoutMs: 200,
  run: (signal) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (result instanceof Error) reject(result);
        else resolve({ id, area: "system", status: "ok", summary: id, ...result });
      }, ms);
      signal.addEventListener("abort", () => clearTimeout(timer));
    }),
});

describe("the diagnostics runner", () => {
  it("yields checks as they finish, not in the probes' order", async () => {
    const seen: string[] = [];
    for await (const c of runChecks([probe("slow", 60, {}), probe("fast", 5, {})])) seen.push(c.id);
    expect(seen).toEqual(["fast", "slow"]);
  });

  it("a probe past its budget is a failed check, and its signal aborts", async () => {
    let aborted = false;
    const stuck: Probe = {
      id: "stuck",
      area: "channels",
      network: true,
      timeoutMs: 50,
      run: (signal) =>
        new Promise(() => {
          signal.addEventListener("abort", () => {
            aborted = true;
          });
        }),
    };
    const [c] = await collectChecks([stuck]);
    expect(c).toMatchObject({ id: "stuck", status: "fail", summary: "no answer within 50 ms" });
    expect(c?.fix).toMatch(/network/);
    expect(aborted).toBe(true);
  });

  it("a probe that throws is one failed check with a redacted one-line reason", async () => {
    const [c] = await collectChecks([
      probe("boom", 1, new Error("bad key sk-ant-abcdefghijklmnopqrstuvwx\nstack")),
    ]);
    expect(c?.status).toBe("fail");
    expect(c?.summary).not.toContain("abcdefghijklmnop");
    expect(c?.summary).not.toContain("stack");
  });

  it("the worst status ignores skips", () => {
    const c = (status: Check["status"]): Check => ({ id: status, area: "system", status, summary: "" });
    expect(worstStatus([c("ok"), c("skip")])).toBe("ok");
    expect(worstStatus([c("ok"), c("warn")])).toBe("warn");
    expect(worstStatus([c("warn"), c("fail"), c("skip")])).toBe("fail");
  });
});

describe("system checks", () => {
  it("Node: the running one is fine, an old one fails with the fix", () => {
    expect(nodeVersionCheck(process.versions.node).status).toBe("ok");
    expect(nodeVersionCheck("22.19.0").status).toBe("ok");
    expect(nodeVersionCheck("22.18.9")).toMatchObject({ status: "fail", fix: "install a current Node LTS" });
    expect(nodeVersionCheck("20.19.0").status).toBe("fail");
  });

  it("disk: plenty is ok, little is a warning, almost none a failure", async () => {
    const free = (bytes: number) =>
      (async () => ({ bavail: bytes / 4096, bsize: 4096 })) as unknown as typeof statfs;
    expect((await diskSpaceCheck("/h", free(20 * 1024 ** 3))).summary).toBe("20 GB free on the disk of /h");
    expect((await diskSpaceCheck("/h", free(200 * 1024 ** 2))).status).toBe("warn");
    const full = await diskSpaceCheck("/h", free(10 * 1024 ** 2));
    expect(full).toMatchObject({ status: "fail", summary: "10 MB free on the disk of /h" });
    expect(full.fix).toMatch(/free some space/);
  });
});
