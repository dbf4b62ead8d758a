import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, rm as rmDir, unlink } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline/promises";
import { writeFileAtomic } from "../../core/base/atomic-file.js";
import {
  activeProfileFile,
  DEFAULT_PROFILE,
  kaviloRoot,
  profileDir,
  validateProfileName,
} from "../../core/home.js";
import type { CliContext } from "../context.js";
import { CliError, cancelledOnAbort } from "../errors.js";

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

function stickyProfile(root: string): string | undefined {
  const file = activeProfileFile(root);
  return existsSync(file) ? readFileSync(file, "utf8").trim() || undefined : undefined;
}

function namedProfiles(root: string): string[] {
  const dir = join(root, "profiles");
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^[A-Za-z0-9_-]+$/.test(d.name))
    .map((d) => d.name)
    .sort();
}

export async function list(ctx: CliContext, opts: { json?: boolean } = {}): Promise<number> {
  const root = kaviloRoot();
  const active = ctx.home.profile;
  if (opts.json) {
    const profiles = [DEFAULT_PROFILE, ...namedProfiles(root)].map((name) => ({
      name,
      path: profileDir(root, name),
      active: name === active,
    }));
    out(JSON.stringify({ active: active ?? null, home: ctx.home.home, profiles }, null, 2));
    return 0;
  }
  for (const name of [DEFAULT_PROFILE, ...namedProfiles(root)]) {
    const mark = name === active ? "*" : " ";
    out(`${mark} ${name.padEnd(20)} ${profileDir(root, name)}`);
  }
  if (active === undefined) out(`* (KAVILO_HOME) ${ctx.home.home}`);
  return 0;
}

export async function use(ctx: CliContext, name: unknown): Promise<number> {
  const profile = validateProfileName(String(name));
  const root = kaviloRoot();
  const dir = profileDir(root, profile);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (profile === DEFAULT_PROFILE) {
    await unlink(activeProfileFile(root)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "ENOENT") throw err;
    });
  } else {
    await writeFileAtomic(activeProfileFile(root), `${profile}\n`);
  }
  out(`active profile: ${profile} (${dir})`);
  if (ctx.home.source === "env") {
    ctx.warn("KAVILO_HOME is set in your environment and still wins over the sticky profile");
  }
  return 0;
}

export async function show(ctx: CliContext, opts: { json?: boolean } = {}): Promise<number> {
  if (opts.json) {
    const { profile, home, source } = ctx.home;
    out(JSON.stringify({ profile: profile ?? null, path: home, source }, null, 2));
    return 0;
  }
  out(`profile: ${ctx.home.profile ?? "(custom KAVILO_HOME)"}`);
  out(`path:    ${ctx.home.home}`);
  out(`source:  ${describeSource(ctx.home.source)}`);
  return 0;
}

function describeSource(source: CliContext["home"]["source"]): string {
  switch (source) {
    case "env":
      return "KAVILO_HOME";
    case "flag":
      return "--profile";
    case "sticky":
      return `sticky (${activeProfileFile(kaviloRoot())})`;
    default:
      return "default";
  }
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await cancelledOnAbort(rl.question(question));
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

export async function rm(ctx: CliContext, name: unknown, opts: { yes?: boolean } = {}): Promise<number> {
  const profile = validateProfileName(String(name));
  const root = kaviloRoot();
  if (profile === DEFAULT_PROFILE) {
    throw new CliError("refusing to remove the default profile (it holds every other profile)", 2);
  }
  if (profile === ctx.home.profile || profile === stickyProfile(root)) {
    throw new CliError(
      `refusing to remove the active profile "${profile}": switch with kavilo profile use default first`,
      2,
    );
  }
  const dir = profileDir(root, profile);
  if (!existsSync(dir)) throw new CliError(`no profile named "${profile}" (${dir})`, 2);
  if (!opts.yes) {
    if (!process.stdin.isTTY) {
      throw new CliError(`refusing to remove profile "${profile}" without confirmation: pass --yes`, 2);
    }
    if (!(await confirm(`Remove profile "${profile}" and everything in ${dir}? [y/N] `))) {
      out("cancelled");
      return 1;
    }
  }
  await rmDir(dir, { recursive: true, force: true });
  out(`removed profile ${profile} (${dir})`);
  return 0;
}
