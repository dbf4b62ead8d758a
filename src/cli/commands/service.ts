import { spawnSync } from "node:child_process";
import { homedir } from "node:os";
import type { CliContext } from "../context.js";
import type { ServiceEnv } from "../runtime/service-manager.js";
import { currentCommand, type ServiceSpec } from "../runtime/service-unit.js";

function specOf(ctx: CliContext): ServiceSpec {
  return {
    command: currentCommand(process.execPath, process.argv[1]),
    kaviloHome: ctx.home.home,
    profile: ctx.home.profile,
    ...(ctx.env.PATH ? { path: ctx.env.PATH } : {}),
  };
}

function envOf(ctx: CliContext): ServiceEnv {
  return {
    platform: process.platform,
    userHome: ctx.env.HOME || homedir(),
    out: (line) => process.stdout.write(`${line}\n`),
    run(cmd, args) {
      const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 30_000 });
      return { status: r.error ? null : r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
    },
  };
}

const manager = () => import("../runtime/service-manager.js");

export async function install(ctx: CliContext): Promise<number> {
  const m = await manager();
  return (await m.installService(specOf(ctx), envOf(ctx))) ? 0 : 1;
}

export async function uninstall(ctx: CliContext): Promise<number> {
  const m = await manager();
  return (await m.uninstallService(specOf(ctx), envOf(ctx))) ? 0 : 1;
}

export async function status(ctx: CliContext): Promise<number> {
  const m = await manager();
  return m.serviceStatus(specOf(ctx), envOf(ctx)) ? 0 : 3;
}
