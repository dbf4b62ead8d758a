import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeJwt } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { parseAwsTime } from "../../src/auth/aws-sso/token-cache.js";
import { createCronService } from "../../src/core/cron/service.js";
import { type CronStore, createCronStore } from "../../src/core/cron/store.js";
import { createHeartbeat } from "../../src/core/heartbeat/heartbeat.js";
import { createAwsSsoRefresher } from "../../src/refreshers/aws-sso.js";
import { createCodexRefresher } from "../../src/refreshers/codex.js";
import { createRefresherRunner } from "../../src/refreshers/runner.js";
import type { Refresher, TargetOutcome } from "../../src/refreshers/types.js";
import { startFakeOpenAiTokenServer } from "../fakes/openai-token-server.js";
import { startFakeSsoOidcServer } from "../fakes/sso-oidc-server.js";
import { writeAwsConfig, writeSsoCache } from "../helpers/aws-sso.js";
import { writeCodexAuthFile } from "../helpers/codex-auth.js";
import { FakeClock } from "../helpers/fake-clock.js";

/**
 * `kavilo start`'s background machinery for 30 simulated days, in process, on one fake clock: the
 * refresher runner with the Codex and AWS SSO refreshers (against fake token endpoints that rotate
 * refresh tokens and issue short-lived access tokens), the real cron service with an hourly and a
 * daily job, and the real heartbeat every 30 minutes. Files and HTTP are real; only time is fake.
 */
const T0 = Date.UTC(2026, 2, 1);
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function world(codex = { ttlS: 36 * 3600, leadS: 86_400 }) {
  const clock = new FakeClock(T0);
  const home = await mkdtemp(join(tmpdir(), "kavilo-soak-"));
  const openai = await startFakeOpenAiTokenServer({ now: () => clock.ms });
  const sso = await startFakeSsoOidcServer({ now: () => clock.ms });
  closers.push(
    () => openai.close(),
    () => sso.close(),
  );
  openai.setAccessTokenTtl(codex.ttlS); // Codex: 36 h access tokens, refreshed a day ahead (by default)
  sso.setExpiresIn(3600); // SSO: 1 h access tokens, refreshed 10 min ahead
  const codexHome = join(home, "codex");
  const authPath = await writeCodexAuthFile(codexHome, await openai.mint());
  const awsConfig = await writeAwsConfig(home, "corp");
  const cachePath = await writeSsoCache(home, "corp", sso.login(), new Date(T0 + HOUR), {
    registrationExpiresAt: new Date(T0 + 90 * DAY),
  });
  const env = {
    HOME: home,
    CODEX_HOME: codexHome,
    CODEX_REFRESH_TOKEN_URL_OVERRIDE: openai.tokenUrl,
    AWS_CONFIG_FILE: awsConfig,
    AWS_ENDPOINT_URL_SSO_OIDC: sso.url,
  };
  const lines: string[] = [];
  const log = {
    debug: () => {},
    info: (m: string) => lines.push(m),
    warn: (m: string) => lines.push(m),
    error: (m: string) => lines.push(m),
  };
  // Every tick's outcomes, as the runner saw them.
  const ticks: Array<{ name: string; at: number; outcomes: TargetOutcome[] }> = [];
  const recorded = (r: Refresher): Refresher => ({
    name: r.name,
    intervalMs: r.intervalMs,
    enabled: () => r.enabled(),
    tick: async (now) => {
      const outcomes = await r.tick(now);
      ticks.push({ name: r.name, at: now.getTime(), outcomes });
      return outcomes;
    },
  });
  const runner = createRefresherRunner({
    refreshers: [
      recorded(
        createCodexRefresher({
          env,
          config: { enabled: true, refreshIntervalS: 3600, refreshLeadS: codex.leadS },
        }),
      ),
      recorded(
        createAwsSsoRefresher({ env, config: { enabled: true, refreshIntervalS: 300, refreshLeadS: 600 } }),
      ),
    ],
    log,
    clock,
    random: () => Math.random(),
  });

  // Everything the cron service and the heartbeat do through the file system or the "model" is
  // counted, so the clock moves on only once the work a timer started has finished.
  let inflight = 0;
  const counted =
    <A extends unknown[], R>(fn: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      inflight++;
      try {
        return await fn(...a);
      } finally {
        inflight--;
      }
    };
  const realStore = createCronStore(join(home, "cron", "jobs.json"), { now: clock.now });
  const store: CronStore = {
    path: realStore.path,
    list: counted(() => realStore.list()),
    get: counted((id: string) => realStore.get(id)),
    add: counted((j: Parameters<CronStore["add"]>[0]) => realStore.add(j)),
    remove: counted((id: string) => realStore.remove(id)),
    update: counted((id: string, c: Parameters<CronStore["update"]>[1]) => realStore.update(id, c)),
  };
  const hourly = await realStore.add({
    name: "hourly",
    schedule: { kind: "every", seconds: 3600 },
    message: "h",
  });
  const daily = await realStore.add({
    name: "daily",
    schedule: { kind: "cron", expr: "0 9 * * *", tz: "UTC" },
    message: "d",
  });
  const cronRuns = new Map<string, number[]>();
  const cron = createCronService({
    store,
    now: clock.now,
    setTimer: clock.setTimer,
    clearTimer: clock.clearTimer,
    pollMs: 6 * HOUR,
    log,
    runJob: counted(async (job) => {
      cronRuns.set(job.id, [...(cronRuns.get(job.id) ?? []), clock.ms]);
    }),
  });

  const heartbeatPath = join(home, "workspace", "HEARTBEAT.md");
  await mkdir(join(home, "workspace"), { recursive: true });
  await writeFile(heartbeatPath, "# Heartbeat\n\n<!-- add tasks below -->\n");
  const heartbeatTicks: number[] = [];
  const llmCalls: number[] = [];
  const heartbeat = createHeartbeat({
    intervalS: 1800,
    log,
    hasTarget: () => true,
    setTimer: clock.setTimer,
    clearTimer: clock.clearTimer,
    readHeartbeat: counted(async () => {
      heartbeatTicks.push(clock.ms);
      return readFileSync(heartbeatPath, "utf8");
    }),
    runTurn: counted(async () => {
      llmCalls.push(clock.ms);
      return "HEARTBEAT_OK";
    }),
    deliver: counted(async () => true),
  });

  const TIMERS = 4; // codex, aws-sso, cron, heartbeat
  const settle = async () => {
    for (let i = 0; i < 10_000; i++) {
      await runner.whenIdle();
      await new Promise((r) => setImmediate(r));
      if (inflight === 0 && clock.pending === TIMERS) {
        await new Promise((r) => setImmediate(r));
        if (inflight === 0 && clock.pending === TIMERS) return;
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    throw new Error(`the machinery did not settle at ${new Date(clock.ms).toISOString()}`);
  };

  // The invariant, checked at every moment anything happens: no token the refreshers own has expired.
  let minMarginCodex = Number.POSITIVE_INFINITY;
  let minMarginAws = Number.POSITIVE_INFINITY;
  const check = (ms: number) => {
    const auth = JSON.parse(readFileSync(authPath, "utf8")) as { tokens: { access_token: string } };
    const codexExp = (decodeJwt(auth.tokens.access_token).exp ?? 0) * 1000;
    const cache = JSON.parse(readFileSync(cachePath, "utf8")) as { expiresAt: string };
    const awsExp = parseAwsTime(cache.expiresAt)?.getTime() ?? 0;
    minMarginCodex = Math.min(minMarginCodex, codexExp - ms);
    minMarginAws = Math.min(minMarginAws, awsExp - ms);
    if (codexExp <= ms) throw new Error(`the Codex token had expired at ${new Date(ms).toISOString()}`);
    if (awsExp <= ms) throw new Error(`the SSO token had expired at ${new Date(ms).toISOString()}`);
  };

  return {
    clock,
    openai,
    sso,
    runner,
    ticks,
    cron,
    heartbeat,
    settle,
    check,
    lines,
    cronRuns,
    hourly,
    daily,
    heartbeatPath,
    heartbeatTicks,
    llmCalls,
    margins: () => ({ codex: minMarginCodex, aws: minMarginAws }),
    async start() {
      await runner.start();
      await cron.start();
      heartbeat.start();
      await settle();
    },
    async stop() {
      await runner.stop(5000);
      await cron.stop();
      await heartbeat.stop();
    },
  };
}

describe("30 simulated days of kavilo start", () => {
  it("never lets a refresher-owned token expire, never reuses a refresh token, runs every cron job once and the heartbeat only when HEARTBEAT.md asks", async () => {
    const w = await world();
    await w.start();
    await w.clock.runUntil(T0 + 15 * DAY, w.settle, w.check);
    await writeFile(w.heartbeatPath, "# Heartbeat\n\n- check the build status\n");
    await w.clock.runUntil(T0 + 30 * DAY, w.settle, w.check);
    await w.stop();

    // Tokens: never expired; every refresh token presented exactly once.
    expect(w.margins().codex).toBeGreaterThan(0);
    expect(w.margins().aws).toBeGreaterThan(0);
    expect([...w.openai.uses.values()].every((n) => n === 1)).toBe(true);
    expect([...w.sso.uses.values()].every((n) => n === 1)).toBe(true);
    expect(w.openai.stats.reused).toBe(0);
    expect(w.sso.stats.reused).toBe(0);
    // 36 h tokens refreshed a day ahead: about every 12 h; 1 h tokens 10 min ahead: about every 50-55 min.
    expect(w.openai.stats.refreshes).toBeGreaterThanOrEqual(58);
    expect(w.openai.stats.refreshes).toBeLessThanOrEqual(62);
    expect(w.sso.stats.refreshes).toBeGreaterThanOrEqual(30 * 24);
    expect(w.lines.filter((l) => l.startsWith("RefreshFailed"))).toEqual([]);

    // Cron: every hourly and daily run exactly once, on time.
    const hourly = w.cronRuns.get(w.hourly.id) ?? [];
    expect(hourly).toEqual(Array.from({ length: 30 * 24 }, (_, i) => T0 + (i + 1) * HOUR));
    const daily = w.cronRuns.get(w.daily.id) ?? [];
    expect(daily).toEqual(Array.from({ length: 30 }, (_, i) => T0 + i * DAY + 9 * HOUR));

    // Heartbeat: every 30 min; no model call while HEARTBEAT.md was empty, one per tick after.
    expect(w.heartbeatTicks).toHaveLength(30 * 48);
    expect(w.llmCalls.filter((t) => t <= T0 + 15 * DAY)).toEqual([]);
    expect(w.llmCalls).toEqual(w.heartbeatTicks.filter((t) => t > T0 + 15 * DAY));
    expect(w.llmCalls).toHaveLength(15 * 48);
  }, 300_000);

  it("a Codex endpoint down for a simulated day logs one RefreshFailed per tick and recovers on the next success", async () => {
    // 3-day tokens refreshed 2 days ahead: a one-day outage is survivable, as with Codex's real tokens.
    const w = await world({ ttlS: 3 * 86_400, leadS: 2 * 86_400 });
    await w.start();
    await w.clock.runUntil(T0 + 2 * DAY, w.settle, w.check);
    const outageStart = w.clock.ms;
    const outageEnd = outageStart + DAY;
    w.openai.setOutage(503);
    await w.clock.runUntil(outageEnd, w.settle, w.check);
    w.openai.setOutage(undefined);
    await w.clock.runUntil(outageEnd + 2 * DAY, w.settle, w.check);
    await w.stop();

    const codex = w.ticks.filter((t) => t.name === "codex");
    const inOutage = codex.filter((t) => t.at >= outageStart && t.at < outageEnd);
    const failed = inOutage.filter((t) => t.outcomes[0]?.result === "failed");
    // The token came due during the outage: from then on, every tick of that day failed ...
    expect(failed.length).toBeGreaterThanOrEqual(10);
    const firstFailed = inOutage.indexOf(failed[0] as (typeof inOutage)[number]);
    expect(inOutage.slice(firstFailed).every((t) => t.outcomes[0]?.result === "failed")).toBe(true);
    expect(inOutage.slice(0, firstFailed).every((t) => t.outcomes[0]?.result === "fresh")).toBe(true);
    // ... with exactly one RefreshFailed line per failed tick, naming the file and the reason, no token.
    const lines = w.lines.filter((l) => l.startsWith("RefreshFailed"));
    const target = codex[0]?.outcomes[0]?.target ?? "";
    expect(lines).toEqual(
      failed.map(
        () =>
          `RefreshFailed codex ${target}: the Codex token endpoint answered HTTP 503 server_error; kavilo will try again`,
      ),
    );
    // Recovery: the first tick after the outage refreshed; no failure after it.
    const afterOutage = codex.filter((t) => t.at >= outageEnd);
    expect(afterOutage[0]?.outcomes[0]?.result).toBe("refreshed");
    expect(afterOutage.every((t) => t.outcomes[0]?.result !== "failed")).toBe(true);
    expect(w.lines.some((l) => l.startsWith(`Refreshed codex ${target}`))).toBe(true);
    // The failed attempts never consumed a refresh token: none was used twice, the token never expired.
    expect(w.openai.stats.reused).toBe(0);
    expect(w.margins().codex).toBeGreaterThan(0);
  }, 120_000);
});
