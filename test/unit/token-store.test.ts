import { mkdir, mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  readTokenJson,
  refreshUnderLock,
  TokenFileError,
  type TokenJson,
  tokenLockPath,
  writeTokenJson,
} from "../../src/auth/token-store.js";

const dir = () => mkdtemp(join(tmpdir(), "token-store-"));

interface Cred {
  access: string;
  refresh: string;
}
const parse = (j: TokenJson): Cred => ({ access: String(j.access), refresh: String(j.refresh) });

describe("readTokenJson / writeTokenJson", () => {
  it("a missing file is undefined; malformed JSON names the position, quotes nothing and leaves the file untouched", async () => {
    const d = await dir();
    expect(await readTokenJson(join(d, "none.json"))).toBeUndefined();
    const path = join(d, "bad.json");
    await writeFile(path, '{"access": "secret-value",\n oops}');
    const err = await readTokenJson(path).catch((e: Error) => e);
    expect(err).toBeInstanceOf(TokenFileError);
    expect((err as Error).message).toBe(
      `${path} is not valid JSON at line 2, column 2; it was left untouched`,
    );
    expect(await readFile(path, "utf8")).toBe('{"access": "secret-value",\n oops}');
    await writeFile(path, "[1]");
    await expect(readTokenJson(path)).rejects.toThrow("does not hold a JSON object");
  });

  it("writes 0600 in a new 0700 folder, keeps every key, and keeps the old mode when asked", async () => {
    const d = await dir();
    const path = join(d, "new", "t.json");
    await writeTokenJson(path, { a: 1, unknown: { nested: true } });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(d, "new"))).mode & 0o777).toBe(0o700);
    expect(await readTokenJson(path)).toEqual({ a: 1, unknown: { nested: true } });
    const kept = join(d, "kept.json");
    await writeFile(kept, "{}", { mode: 0o644 });
    await writeTokenJson(kept, { b: 2 }, { mode: "keep" });
    expect((await stat(kept)).mode & 0o777).toBe(0o644);
  });
});

describe("refreshUnderLock", () => {
  async function seeded(value: Cred) {
    const d = await dir();
    await mkdir(d, { recursive: true });
    const path = join(d, "cred.json");
    await writeTokenJson(path, { ...value, other: "kept" });
    return path;
  }

  it("refreshes when due, writes the merged object and releases the lock", async () => {
    const path = await seeded({ access: "a1", refresh: "r1" });
    const out = await refreshUnderLock<Cred>({
      path,
      parse,
      due: () => true,
      refresh: async (_c, json) => ({ ...json, access: "a2", refresh: "r2" }),
      refreshTokenOf: (c) => c.refresh,
    });
    expect(out).toEqual({ kind: "refreshed", value: { access: "a2", refresh: "r2" } });
    expect(await readTokenJson(path)).toEqual({ access: "a2", refresh: "r2", other: "kept" });
    await expect(stat(tokenLockPath(path))).rejects.toThrow();
  });

  it("guarded reload: a credential that is no longer due under the lock is adopted without calling refresh", async () => {
    const path = await seeded({ access: "a2", refresh: "r2" });
    let calls = 0;
    const out = await refreshUnderLock<Cred>({
      path,
      parse,
      due: (c) => c.refresh === "r1",
      refresh: async (_c, json) => {
        calls++;
        return json;
      },
      refreshTokenOf: (c) => c.refresh,
    });
    expect(out).toEqual({ kind: "adopted", value: { access: "a2", refresh: "r2" } });
    expect(calls).toBe(0);
  });

  it("a reused refresh token re-reads once: another writer's rotation is adopted, none is rethrown", async () => {
    const path = await seeded({ access: "a1", refresh: "r1" });
    const reused = new Error("refresh_token_reused");
    const out = await refreshUnderLock<Cred>({
      path,
      parse,
      due: () => true,
      refresh: async () => {
        // Another program (not taking the lock) rotated it meanwhile.
        await writeTokenJson(path, { access: "a9", refresh: "r9" });
        throw reused;
      },
      refreshTokenOf: (c) => c.refresh,
      isReused: (e) => e === reused,
    });
    expect(out).toEqual({ kind: "adopted", value: { access: "a9", refresh: "r9" } });

    const path2 = await seeded({ access: "a1", refresh: "r1" });
    await expect(
      refreshUnderLock<Cred>({
        path: path2,
        parse,
        due: () => true,
        refresh: async () => {
          throw reused;
        },
        refreshTokenOf: (c) => c.refresh,
        isReused: (e) => e === reused,
      }),
    ).rejects.toBe(reused);
    expect(await readTokenJson(path2)).toEqual({ access: "a1", refresh: "r1", other: "kept" });
  });

  it("a missing file is reported as missing", async () => {
    const d = await dir();
    const out = await refreshUnderLock<Cred>({
      path: join(d, "none.json"),
      parse,
      due: () => true,
      refresh: async (_c, j) => j,
      refreshTokenOf: (c) => c.refresh,
    });
    expect(out).toEqual({ kind: "missing" });
  });
});
