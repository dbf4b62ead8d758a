import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createContext } from "../../src/cli/context.js";
import { CliError } from "../../src/cli/errors.js";
import { buildProgram } from "../../src/cli/main.js";

let home: string;
let stdout: string[];

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "kavilo-cron-cli-"));
  stdout = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
});
afterEach(async () => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
  await rm(home, { recursive: true, force: true });
});

async function kavilo(...args: string[]) {
  const ctx = await createContext({ home, profile: undefined, source: "env", warnings: [] }, {}, false);
  const program = buildProgram(async () => ctx).exitOverride();
  await program.parseAsync(args, { from: "user" });
}

const jobsFile = () => join(home, "cron", "jobs.json");

describe("kavilo cron", () => {
  it("adds, lists and removes jobs in the profile's cron/jobs.json", async () => {
    await kavilo("cron", "add", "--message", "say hi", "--every", "3600", "--name", "hourly");
    await kavilo(
      "cron",
      "add",
      "--message",
      "standup",
      "--cron",
      "0 9 * * 1-5",
      "--tz",
      "Europe/Paris",
      "--channel",
      "telegram",
      "--to",
      "42",
    );
    const file = JSON.parse(await readFile(jobsFile(), "utf8"));
    expect(file.jobs).toHaveLength(2);
    expect(file.jobs[1]).toMatchObject({
      schedule: { kind: "cron", expr: "0 9 * * 1-5", tz: "Europe/Paris" },
      deliver: { channel: "telegram", chatId: "42" },
    });
    expect(stdout.join("")).toContain(`added cron job ${file.jobs[0].id}: every 1h`);

    stdout.length = 0;
    await kavilo("cron", "list");
    const table = stdout.join("").split("\n");
    expect(table[0]).toMatch(/^ID\s+NAME\s+SCHEDULE\s+NEXT RUN\s+LAST\s+DELIVER\s+MESSAGE$/);
    expect(table[1]).toContain(file.jobs[0].id);
    expect(table[1]).toContain("hourly");
    expect(table[1]).toContain("silent");
    expect(table[2]).toContain('cron "0 9 * * 1-5" (Europe/Paris)');
    expect(table[2]).toContain("telegram:42");

    await kavilo("cron", "remove", file.jobs[0].id);
    const after = JSON.parse(await readFile(jobsFile(), "utf8"));
    expect(after.jobs.map((j: { id: string }) => j.id)).toEqual([file.jobs[1].id]);
  });

  it("says so when there are no jobs", async () => {
    await kavilo("cron", "list");
    expect(stdout.join("")).toContain("no cron jobs");
  });

  it.each([
    [["--cron", "not a cron"], /invalid cron expression "not a cron"/],
    [["--every", "10m"], /--every must be a whole number of seconds/],
    [["--at", "2001-01-01T00:00:00Z"], /--at 2001-01-01T00:00:00.000Z is in the past/],
    [["--every", "60", "--cron", "* * * * *"], /only one schedule, not --every and --cron/],
    [[], /give a schedule: one of --at, --every, --cron/],
    [["--every", "60", "--channel", "telegram"], /--channel and --to go together/],
    [
      ["--every", "60", "--channel", "telgram", "--to", "42"],
      /--channel must be telegram or slack, not "telgram"/,
    ],
  ])("rejects %j with one clear line (exit 2) and writes nothing", async (flags, message) => {
    const err = await kavilo("cron", "add", "--message", "m", ...flags).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(message);
    await expect(readFile(jobsFile(), "utf8")).rejects.toThrow(/ENOENT/);
  });

  it("warns when the --channel is not enabled in the profile, and adds the job", async () => {
    const stderr: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    await kavilo("cron", "add", "--message", "m", "--every", "60", "--channel", "slack", "--to", "C1");
    expect(stderr.join("")).toMatch(/channel slack is not enabled in this profile/);
    const file = JSON.parse(await readFile(jobsFile(), "utf8"));
    expect(file.jobs[0].deliver).toEqual({ channel: "slack", chatId: "C1" });
  });

  it("remove of an unknown id fails clearly, exit 2", async () => {
    const err = await kavilo("cron", "remove", "nope").catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/no cron job with id "nope"/);
    expect((err as CliError).exitCode).toBe(2);
  });

  it("run of an unknown id fails clearly", async () => {
    const err = await kavilo("cron", "run", "abc").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(/no cron job with id "abc"/);
  });
});
