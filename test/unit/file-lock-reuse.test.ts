import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { acquirePidLock, LockHeldError, liveHolder } from "../../src/core/base/file-lock.js";
import { processStartToken } from "../../src/core/base/process-identity.js";
import { cleanEnv, runCli, tempHome } from "../helpers/cli.js";

// The parent of this test process is alive and is not the process that took these locks.
const otherPid = process.ppid;

describe("a pid lock whose pid was reused", () => {
  it("records the holder's process start token", async () => {
    const path = join(tempHome(), "kavilo.lock");
    const release = await acquirePidLock(path);
    const holder = JSON.parse(readFileSync(path, "utf8")) as { pid: number; proc?: string };
    expect(holder.proc).toBe(processStartToken(process.pid));
    expect(holder.proc).toMatch(/^(linux|ps):/);
    await release();
  });

  it("is taken over when the live pid started at another time (not the process that took it)", async () => {
    const path = join(tempHome(), "kavilo.lock");
    writeFileSync(
      path,
      JSON.stringify({ pid: otherPid, startedAt: "before the reboot", proc: "linux:old-boot:12345" }),
    );
    expect(await liveHolder(path)).toBeUndefined();
    const release = await acquirePidLock(path);
    expect(JSON.parse(readFileSync(path, "utf8")).pid).toBe(process.pid);
    await release();
  });

  it("is held when the live pid is the same process", async () => {
    const path = join(tempHome(), "kavilo.lock");
    writeFileSync(path, JSON.stringify({ pid: otherPid, startedAt: "x", proc: processStartToken(otherPid) }));
    const err = await acquirePidLock(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockHeldError);
    expect((err as LockHeldError).verified).toBe(true);
  });

  it("when kavilo cannot tell, kavilo start names the lock file to delete", async () => {
    const home = tempHome();
    const lock = join(home, ".kavilo", "kavilo.lock");
    mkdirSync(join(home, ".kavilo"), { recursive: true });
    // No start token (written by an older kavilo): the live pid may or may not be kavilo.
    writeFileSync(lock, JSON.stringify({ pid: otherPid, startedAt: "x" }));
    const r = await runCli(["start"], { env: cleanEnv(home) });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      `kavilo: kavilo start is already running for this profile (pid ${otherPid}); stop it first; if pid ${otherPid} is not kavilo, delete ${lock}`,
    );
  });
});
