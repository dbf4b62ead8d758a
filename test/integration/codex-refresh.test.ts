import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeJwt } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { codexCredentialsGetter, readCodexAuth, refreshCodexAuth } from "../../src/auth/codex/index.js";
import { type FakeOpenAiTokenServer, startFakeOpenAiTokenServer } from "../fakes/openai-token-server.js";
import { writeCodexAuthFile } from "../helpers/codex-auth.js";

let server: FakeOpenAiTokenServer;
let env: { HOME: string; CODEX_HOME: string; CODEX_REFRESH_TOKEN_URL_OVERRIDE: string };

beforeEach(async () => {
  server = await startFakeOpenAiTokenServer();
  const dir = await mkdtemp(join(tmpdir(), "codex-refresh-"));
  env = { HOME: dir, CODEX_HOME: join(dir, "codex"), CODEX_REFRESH_TOKEN_URL_OVERRIDE: server.tokenUrl };
});
afterEach(() => server.close());

const readJson = async (path: string) =>
  JSON.parse(await readFile(path, "utf8")) as { tokens: Record<string, string> } & Record<string, unknown>;

describe("refreshCodexAuth", () => {
  it("sends codex-rs's JSON body and rewrites auth.json: rotated tokens, last_refresh bumped, other keys kept, 0600", async () => {
    const login = await server.mint({ ttlS: 60 });
    const path = await writeCodexAuthFile(
      env.CODEX_HOME,
      { ...login, account_id: "acc-1" },
      { auth_mode: "chatgpt", extra_top: { a: 1 } },
    );
    const now = new Date();
    const result = await refreshCodexAuth(env, { leadMs: 3600_000, now });
    expect(result.kind).toBe("refreshed");
    expect(server.bodies).toEqual([
      {
        contentType: "application/json",
        body: {
          client_id: "app_EMoamEEZ73f0CkXaXp7hrann",
          grant_type: "refresh_token",
          refresh_token: login.refresh_token,
        },
      },
    ]);
    const file = await readJson(path);
    expect(file.tokens.access_token).not.toBe(login.access_token);
    expect(file.tokens.refresh_token).not.toBe(login.refresh_token);
    expect(file.tokens.id_token).not.toBe(login.id_token);
    expect(file.tokens.account_id).toBe("acc-1");
    expect(file.tokens.future_token_field).toBe("kept");
    expect(file.auth_mode).toBe("chatgpt");
    expect(file.extra_top).toEqual({ a: 1 });
    expect(file.OPENAI_API_KEY).toBeNull();
    expect(file.last_refresh).toBe(now.toISOString());
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(result.auth.expiresAt!.getTime()).toBe(decodeJwt(file.tokens.access_token ?? "").exp! * 1000);
  });

  it("does nothing while the token is outside the lead", async () => {
    await writeCodexAuthFile(env.CODEX_HOME, await server.mint({ ttlS: 7200 }));
    const result = await refreshCodexAuth(env, { leadMs: 60_000 });
    expect(result.kind).toBe("fresh");
    expect(server.stats.requests).toBe(0);
  });

  it("adopts a token another process rotated before it took the lock (no network)", async () => {
    const login = await server.mint({ ttlS: 60 });
    const path = await writeCodexAuthFile(env.CODEX_HOME, login);
    await refreshCodexAuth(env, { leadMs: 3600_000 });
    const rotated = (await readJson(path)).tokens.refresh_token;
    // A second caller that saw the old token and got a 401 for it:
    const result = await refreshCodexAuth(env, { force: true, staleAccessToken: login.access_token });
    expect(result.kind).toBe("fresh");
    expect(result.auth.refreshToken).toBe(rotated);
    expect(server.stats.requests).toBe(1);
  });

  it("a refresh token reported as reused is re-read once: the winner's token is adopted", async () => {
    const login = await server.mint({ ttlS: 60 });
    const path = await writeCodexAuthFile(env.CODEX_HOME, login);
    // The codex CLI (which does not take kavilo's lock) rotates the token after kavilo read the file
    // under the lock and before kavilo's request reaches the server.
    const codexCliRotates = async () => {
      const res = await fetch(server.tokenUrl, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          client_id: "app_EMoamEEZ73f0CkXaXp7hrann",
          grant_type: "refresh_token",
          refresh_token: login.refresh_token,
        }),
      });
      const tokens = (await res.json()) as Record<string, string>;
      await writeCodexAuthFile(env.CODEX_HOME, {
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
      });
      return tokens;
    };
    let winner: Record<string, string> | undefined;
    const result = await refreshCodexAuth(env, {
      force: true,
      fetch: async (url, init) => {
        winner = await codexCliRotates();
        return fetch(url, init);
      },
    });
    expect(server.stats.refreshes).toBe(1);
    expect(server.stats.reused).toBe(1);
    expect(result.kind).toBe("adopted");
    expect(result.auth.refreshToken).toBe(winner?.refresh_token);
    expect(result.auth.accessToken).toBe(winner?.access_token);
    expect((await readJson(path)).tokens.refresh_token).toBe(winner?.refresh_token);
  });

  it("a reused refresh token with nobody else's token on disk is a rejected error", async () => {
    const login = await server.mint({ ttlS: 60 });
    await writeCodexAuthFile(env.CODEX_HOME, login);
    await refreshCodexAuth(env, { force: true });
    await writeCodexAuthFile(env.CODEX_HOME, login); // an old backup restored over the rotated file
    const err = await refreshCodexAuth(env, { force: true }).catch((e: Error) => e);
    expect(err).toMatchObject({ kind: "rejected", code: "refresh_token_reused" });
    expect((err as Error).message).toContain("was already used");
  });

  it("a revoked grant is a rejected CodexAuthError naming codex login, and the file is unchanged", async () => {
    const login = await server.mint({ ttlS: 60 });
    const path = await writeCodexAuthFile(env.CODEX_HOME, login);
    const before = await readFile(path, "utf8");
    server.revoke(login.refresh_token);
    const err = await refreshCodexAuth(env, { force: true }).catch((e: Error) => e);
    expect(err).toMatchObject({ kind: "rejected", code: "refresh_token_invalidated" });
    expect((err as Error).message).toBe(
      "the Codex refresh token was revoked (HTTP 401 refresh_token_invalidated): re-run `codex login` and retry",
    );
    expect(await readFile(path, "utf8")).toBe(before);
  });

  it("a 5xx is a retryable refresh-failed error", async () => {
    await writeCodexAuthFile(env.CODEX_HOME, await server.mint({ ttlS: 60 }));
    server.setOutage(503);
    const err = await refreshCodexAuth(env, { force: true }).catch((e: Error) => e);
    expect(err).toMatchObject({ kind: "refresh-failed" });
    expect((err as Error).message).toContain("HTTP 503");
  });

  it("malformed auth.json is reported and left byte-for-byte untouched; no request is made", async () => {
    const path = await writeCodexAuthFile(env.CODEX_HOME, {});
    await writeFile(path, "{ not json");
    const err = await refreshCodexAuth(env, { force: true }).catch((e: Error) => e);
    expect(err).toMatchObject({ kind: "malformed" });
    expect(await readFile(path, "utf8")).toBe("{ not json");
    expect(server.stats.requests).toBe(0);
  });
});

describe("codexCredentialsGetter", () => {
  it("returns the bearer and ChatGPT-Account-ID, and picks up a token rotated on disk", async () => {
    const login = await server.mint({ ttlS: 3600 });
    await writeCodexAuthFile(env.CODEX_HOME, login);
    const get = codexCredentialsGetter(env);
    expect(await get()).toEqual({
      bearer: login.access_token,
      headers: { "ChatGPT-Account-ID": "acc-fake-123" },
    });
    const next = await server.mint({ ttlS: 3600 });
    await writeCodexAuthFile(env.CODEX_HOME, next);
    expect((await get()).bearer).toBe(next.access_token);
    expect(server.stats.requests).toBe(0);
  });

  it("forceRefresh after a 401 refreshes once and returns the rotated token", async () => {
    const login = await server.mint({ ttlS: 3600 });
    await writeCodexAuthFile(env.CODEX_HOME, login);
    const get = codexCredentialsGetter(env);
    await get();
    const creds = await get({ forceRefresh: true });
    expect(creds.bearer).not.toBe(login.access_token);
    expect(creds.bearer).toBe((await readCodexAuth(env)).accessToken);
    expect(server.stats.refreshes).toBe(1);
  });

  it("refreshes an expired access token before the request", async () => {
    const login = await server.mint({ ttlS: 1 });
    await writeCodexAuthFile(env.CODEX_HOME, login);
    const get = codexCredentialsGetter(env, { now: () => new Date(Date.now() + 10_000) });
    const creds = await get();
    expect(creds.bearer).not.toBe(login.access_token);
    expect(server.stats.refreshes).toBe(1);
  });

  it("a rejected refresh after a 401 says to re-run codex login", async () => {
    const login = await server.mint({ ttlS: 3600 });
    await writeCodexAuthFile(env.CODEX_HOME, login);
    server.revoke(login.refresh_token);
    const get = codexCredentialsGetter(env);
    await get();
    const err = await get({ forceRefresh: true }).catch((e: Error) => e);
    expect(err).toMatchObject({ name: "CodexAuthError", kind: "rejected" });
    expect((err as Error).message).toMatch(
      /^Codex rejected the ChatGPT login .*: re-run `codex login` and retry$/,
    );
    expect((err as Error).message).not.toContain(login.refresh_token);
  });
});
