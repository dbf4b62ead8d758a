import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CronStoreError, createCronStore } from "../../src/core/cron/store.js";

let dir: string;
let path: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "kavilo-cron-store-"));
  path = join(dir, "cron", "jobs.json");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const every = { kind: "every", seconds: 60 } as const;

describe("cron store", () => {
  it("reads a missing file as no jobs", async () => {
    expect(await createCronStore(path).list()).toEqual([]);
  });

  it("adds, updates and removes jobs in a versioned file", async () => {
    const store = createCronStore(path, { now: () => new Date("2025-01-01T00:00:00Z") });
    const job = await store.add({ name: "n", schedule: every, message: "hello" });
    expect(job).toMatchObject({
      name: "n",
      message: "hello",
      enabled: true,
      createdAt: "2025-01-01T00:00:00.000Z",
    });
    expect(job.id).toMatch(/^[0-9a-f]{8}$/);
    const onDisk = JSON.parse(await readFile(path, "utf8"));
    expect(onDisk.version).toBe(1);
    expect(onDisk.jobs).toHaveLength(1);

    const updated = await store.update(job.id, (j) => ({
      ...j,
      lastStatus: "ok",
      lastRunAt: "2025-01-01T00:01:00Z",
    }));
    expect(updated?.lastStatus).toBe("ok");
    expect((await store.get(job.id))?.lastRunAt).toBe("2025-01-01T00:01:00Z");
    expect(await store.update("nope", (j) => j)).toBeUndefined();

    expect(await store.remove(job.id)).toBe(true);
    expect(await store.remove(job.id)).toBe(false);
    expect(await store.list()).toEqual([]);
  });

  it("serializes concurrent writes without losing any", async () => {
    const store = createCronStore(path);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.add({ schedule: every, message: `m${i}` })));
    const jobs = await store.list();
    expect(jobs.map((j) => j.message).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`).sort());
    expect(new Set(jobs.map((j) => j.id)).size).toBe(20);
  });

  it("re-reads before writing, so another writer's job survives", async () => {
    const a = createCronStore(path);
    const b = createCronStore(path);
    await a.add({ schedule: every, message: "from a" });
    await b.add({ schedule: every, message: "from b" });
    expect((await a.list()).map((j) => j.message)).toEqual(["from a", "from b"]);
  });

  it("a corrupt file is a clear error and is never overwritten", async () => {
    const store = createCronStore(path);
    await store.add({ schedule: every, message: "x" });
    const corrupt = '{"version": 1, "jobs": [ {"id": "a"';
    await writeFile(path, corrupt);
    await expect(store.list()).rejects.toThrow(CronStoreError);
    await expect(store.list()).rejects.toThrow(path);
    await expect(store.add({ schedule: every, message: "y" })).rejects.toThrow(/not valid JSON/);
    await expect(store.remove("a")).rejects.toThrow(CronStoreError);
    expect(await readFile(path, "utf8")).toBe(corrupt);
  });

  it("a file of the wrong shape names the bad key and is left alone", async () => {
    const bad = JSON.stringify({
      version: 1,
      jobs: [
        {
          id: "a",
          schedule: { kind: "weekly" },
          message: "m",
          enabled: true,
          createdAt: "2025-01-01T00:00:00Z",
        },
      ],
    });
    await mkdir(join(dir, "cron"), { recursive: true });
    await writeFile(path, bad);
    const store = createCronStore(path);
    await expect(store.list()).rejects.toThrow(/invalid at jobs\.0\.schedule/);
    await expect(store.add({ schedule: every, message: "y" })).rejects.toThrow(CronStoreError);
    expect(await readFile(path, "utf8")).toBe(bad);
  });
});
