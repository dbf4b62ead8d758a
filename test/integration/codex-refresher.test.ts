import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createCodexRefresher } from "../../src/refreshers/codex.js";
import { createRefresherRunner } from "../../src/refreshers/runner.js";
import { type FakeOpenAiTokenServer, startFakeOpenAiTokenServer } from "../fakes/openai-token-server.js";
import { writeCodexAuthFile } from "../helpers/codex-auth.js";
import { FakeClock } from "../helpers/fake-clock.js";

let server: FakeOpenAiTokenServer;
let env: { HOME: string; CODEX_HOME: string; CODEX_REFRESH_TOKEN_URL_OVERRIDE: string };
const config = { enabled: true, refreshIntervalS: 3600, refreshLeadS: 86_400 };

beforeEach(async () => {
  server = await startFakeOpenAiTokenServer();
  const dir = await mkdtemp(join(tmpdir(), "codex-refresher-"));
  env = { HOME: dir, CODEX_HOME: join(dir, "codex"), CODEX_REFRESH_TOKEN_URL_OVERRIDE: server.tokenUrl };
});
afterEach(() => server.close());

describe("Codex refresher", () => {
  it("refreshes inside the lead, leaves a token outside it", async () => {
    await writeCodexAuthFile(env.CODEX_HOME, await server.mint({ ttlS: 3600 }));
    const r = createCodexRefresher({ env, config: { ...config, refreshLeadS: 60 } });
    expect((await r.tick(new Date()))[0]?.result).toBe("fresh");
    const [o] = await createCodexRefresher({ env, config }).tick(new Date());
    expect(o).toMatchObject({ target: join(env.CODEX_HOME, "auth.json"), result: "refreshed" });
    expect(server.stats.refreshes).toBe(1);
  });

  it("skips with one clear reason: no auth.json, API-key mode, no refresh token", async () => {
    const r = createCodexRefresher({ env, config });
    expect((await r.tick(new Date()))[0]).toMatchObject({
      result: "skipped",
      quiet: true,
      reason: expect.stringContaining("run `codex login`"),
    });
    const path = await writeCodexAuthFile(env.CODEX_HOME, {});
    await writeFile(path, JSON.stringify({ OPENAI_API_KEY: "sk-test-abcdefghijk" }));
    expect((await r.tick(new Date()))[0]).toMatchObject({
      result: "skipped",
      reason: expect.stringContaining("`openai` provider"),
    });
    await writeCodexAuthFile(env.CODEX_HOME, { access_token: "at" });
    expect((await r.tick(new Date()))[0]).toMatchObject({
      result: "skipped",
      reason: expect.stringContaining("codex login --force"),
    });
  });

  it("a revoked grant is RefreshFailed every tick; a codex CLI that logs in again is adopted and the failures stop", async () => {
    const login = await server.mint({ ttlS: 3600 });
    await writeCodexAuthFile(env.CODEX_HOME, login);
    server.revoke(login.refresh_token);
    const lines: string[] = [];
    const log = { debug: () => {}, info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m) };
    const clock = new FakeClock(Date.now());
    const runner = createRefresherRunner({
      refreshers: [createCodexRefresher({ env, config })],
      log,
      clock,
      jitter: 0,
    });
    await runner.start();
    await clock.runUntil(clock.ms + 2 * 3600_000, () => runner.whenIdle());
    const failed = lines.filter((l) => l.startsWith("RefreshFailed codex "));
    expect(failed).toHaveLength(3);
    expect(failed[0]).toBe(
      `RefreshFailed codex ${join(env.CODEX_HOME, "auth.json")}: the Codex refresh token was revoked (HTTP 401 refresh_token_invalidated): re-run \`codex login\` and retry`,
    );
    // The user runs `codex login`: a fresh file, written by the codex CLI.
    const relogin = await server.mint({ ttlS: 3 * 86_400 });
    await writeCodexAuthFile(env.CODEX_HOME, relogin);
    await clock.runUntil(clock.ms + 3600_000, () => runner.whenIdle());
    expect(lines.filter((l) => l.startsWith("RefreshFailed"))).toHaveLength(3);
    expect(lines.at(-1)).toMatch(/^codex .*auth\.json: ok again; expires /);
    await runner.stop(1000);
  });

  it("a malformed auth.json fails each tick and stays byte-for-byte untouched", async () => {
    const path = await writeCodexAuthFile(env.CODEX_HOME, {});
    await writeFile(path, '{\n  "tokens": ');
    const [o] = await createCodexRefresher({ env, config }).tick(new Date());
    expect(o).toMatchObject({
      result: "failed",
      reason: expect.stringContaining("is not valid JSON at line 2"),
    });
    expect(await readFile(path, "utf8")).toBe('{\n  "tokens": ');
  });

  it("KAVILO_CODEX_REFRESH_DISABLED=1 or codex.enabled:false turns it off", () => {
    expect(
      createCodexRefresher({
        env: { ...env, KAVILO_CODEX_REFRESH_DISABLED: "1" } as typeof env,
        config,
      }).enabled(),
    ).toEqual({
      enabled: false,
      reason: "KAVILO_CODEX_REFRESH_DISABLED is set",
    });
    expect(createCodexRefresher({ env, config: { ...config, enabled: false } }).enabled()).toEqual({
      enabled: false,
      reason: "codex.enabled is false",
    });
  });
});
