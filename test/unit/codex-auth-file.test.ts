import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import {
  codexAuthPath,
  codexHome,
  codexLoginStatus,
  describeCodexLogin,
  readCodexAuth,
} from "../../src/auth/codex/index.js";
import { writeCodexAuthFile } from "../helpers/codex-auth.js";

const key = new TextEncoder().encode("k".repeat(32));
const jwt = (claims: Record<string, unknown>, exp?: number) => {
  const s = new SignJWT(claims).setProtectedHeader({ alg: "HS256" });
  if (exp) s.setExpirationTime(exp);
  return s.sign(key);
};

async function home() {
  const dir = await mkdtemp(join(tmpdir(), "codex-auth-"));
  return { dir, env: { HOME: dir, CODEX_HOME: join(dir, "codex") } };
}

describe("codexHome / codexAuthPath", () => {
  it("uses $CODEX_HOME (with ~ expanded), else ~/.codex", () => {
    expect(codexHome({ HOME: "/h" })).toBe("/h/.codex");
    expect(codexHome({ HOME: "/h", CODEX_HOME: "~/alt" })).toBe("/h/alt");
    expect(codexAuthPath({ HOME: "/h", CODEX_HOME: "/c" })).toBe("/c/auth.json");
  });
});

describe("readCodexAuth", () => {
  it("reads tokens, the account id from tokens.account_id, plan and email from the id token, exp from the access token", async () => {
    const { env } = await home();
    const exp = Math.floor(Date.UTC(2026, 11, 8) / 1000);
    await writeCodexAuthFile(env.CODEX_HOME, {
      access_token: await jwt({ "https://api.openai.com/auth": { chatgpt_account_id: "from-claim" } }, exp),
      refresh_token: "rt-1",
      id_token: await jwt({ email: "a@b.c", "https://api.openai.com/auth": { chatgpt_plan_type: "pro" } }),
      account_id: "from-tokens",
    });
    const auth = await readCodexAuth(env);
    expect(auth.accountId).toBe("from-tokens");
    expect(auth.plan).toBe("pro");
    expect(auth.email).toBe("a@b.c");
    expect(auth.refreshToken).toBe("rt-1");
    expect(auth.expiresAt?.getTime()).toBe(exp * 1000);
    expect(auth.lastRefresh?.toISOString()).toBe("2026-01-01T00:00:00.000Z");
  });

  it("falls back to the JWT claim for the account id", async () => {
    const { env } = await home();
    await writeCodexAuthFile(env.CODEX_HOME, {
      access_token: await jwt({ "https://api.openai.com/auth": { chatgpt_account_id: "acc-claim" } }),
      refresh_token: "rt",
    });
    expect((await readCodexAuth(env)).accountId).toBe("acc-claim");
  });

  it("no auth.json: run codex login, and mentions the keyring setting", async () => {
    const { env } = await home();
    const err = await readCodexAuth(env).catch((e: Error) => e);
    expect(err).toMatchObject({ name: "CodexAuthError", kind: "missing" });
    expect((err as Error).message).toContain("`codex login`");
    expect((err as Error).message).toContain('cli_auth_credentials_store = "file"');
    expect((err as Error).message).not.toContain("\n");
  });

  it("API-key mode is not a subscription login and points to the openai provider", async () => {
    const { env } = await home();
    const path = codexAuthPath(env);
    await writeCodexAuthFile(env.CODEX_HOME, {});
    await writeFile(path, JSON.stringify({ OPENAI_API_KEY: "sk-proj-abcdefghijkl", tokens: null }));
    const err = await readCodexAuth(env).catch((e: Error) => e);
    expect(err).toMatchObject({ kind: "api-key" });
    expect((err as Error).message).toContain("`openai` provider");
    expect((err as Error).message).not.toContain("sk-proj");
  });

  it("no refresh token: run codex login --force", async () => {
    const { env } = await home();
    await writeCodexAuthFile(env.CODEX_HOME, { access_token: "at" });
    const err = await readCodexAuth(env).catch((e: Error) => e);
    expect(err).toMatchObject({ kind: "no-refresh-token" });
    expect((err as Error).message).toContain("`codex login --force`");
  });

  it("malformed JSON is named with its position, leaked nothing, and left byte-for-byte untouched", async () => {
    const { env } = await home();
    const path = await writeCodexAuthFile(env.CODEX_HOME, {});
    const text = '{"tokens": {"access_token": "secret-at-123", }';
    await writeFile(path, text);
    const err = await readCodexAuth(env).catch((e: Error) => e);
    expect(err).toMatchObject({ kind: "malformed" });
    expect((err as Error).message).toMatch(
      /auth\.json is not valid JSON at line 1, column \d+; it was left untouched/,
    );
    expect((err as Error).message).not.toContain("secret-at-123");
    expect(await readFile(path, "utf8")).toBe(text);
  });
});

describe("codexLoginStatus", () => {
  it("shows account, plan, expiry and last refresh with no token", async () => {
    const { env } = await home();
    const exp = Math.floor(Date.UTC(2026, 11, 8, 10) / 1000);
    const access = await jwt(
      { "https://api.openai.com/auth": { chatgpt_account_id: "acc-9", chatgpt_plan_type: "plus" } },
      exp,
    );
    await writeCodexAuthFile(env.CODEX_HOME, { access_token: access, refresh_token: "rt-secret" });
    const status = await codexLoginStatus(env);
    expect(status).toMatchObject({
      state: "ok",
      accountId: "acc-9",
      plan: "plus",
      expiresAt: "2026-12-08T10:00:00.000Z",
    });
    const line = describeCodexLogin(status, new Date(Date.UTC(2026, 11, 7)));
    expect(line).toBe(
      "acc-9 (plus), access token expires 2026-12-08T10:00:00.000Z, last refresh 2026-01-01T00:00:00.000Z",
    );
    expect(JSON.stringify(status)).not.toContain("rt-secret");
    expect(JSON.stringify(status)).not.toContain(access);
  });

  it("reports a missing login as a state with its message", async () => {
    const { env } = await home();
    const status = await codexLoginStatus(env);
    expect(status.state).toBe("missing");
    expect(describeCodexLogin(status)).toContain("codex login");
  });
});
