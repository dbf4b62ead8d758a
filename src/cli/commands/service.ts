import { spawnSync } from "node:child_process";
import { homedir } from "node:os";
import type { CliContext } from "../context.js";
import type { ServiceEnv } from "../service/service-manager.js";
import { currentCommand, type ServiceSpec } from "../service/service-unit.js";
import { SHUTDOWN_MARGIN_S } from "../service/shutdown-margin.js";

/** systemd's wait after SIGTERM: kavilo's own limit (deadline + margin) and a little more. */
function stopTimeoutS(ctx: CliContext): number {
  let deadlineS = 10;
  try {
    deadlineS = ctx.config().config.runtime.shutdownDeadlineS;
  } catch {
    // a config that does not load yet still gets a unit; start reports the config itself
  }
  return deadlineS + SHUTDOWN_MARGIN_S + 5;
}

function specOf(ctx: CliContext): ServiceSpec {
  return {
    command: currentCommand(process.execPath, process.argv[1]),
    stopTimeoutS: stopTimeoutS(ctx),
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

const manager = () => import("../service/service-manager.js");

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
