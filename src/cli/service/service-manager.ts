import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { writeFileAtomic } from "../../core/base/atomic-file.js";
import {
  launchdLabel,
  launchdPlist,
  launchdPlistPath,
  type ServiceSpec,
  systemdUnit,
  systemdUnitName,
  systemdUnitPath,
} from "./service-unit.js";

/** Runs a command; status null when it could not be started at all (not installed). */
export type RunCommand = (
  cmd: string,
  args: string[],
) => { status: number | null; stdout: string; stderr: string };

export interface ServiceEnv {
  platform: NodeJS.Platform;
  userHome: string;
  run: RunCommand;
  out: (line: string) => void;
}

interface Plan {
  file: string;
  content: string;
  load: string[][];
  unload: string[][];
  status: string[][];
}

function planFor(spec: ServiceSpec, env: ServiceEnv): Plan {
  if (env.platform === "darwin") {
    const file = launchdPlistPath(env.userHome, spec);
    return {
      file,
      content: launchdPlist(spec),
      load: [["launchctl", "load", "-w", file]],
      unload: [["launchctl", "unload", "-w", file]],
      status: [["launchctl", "list", launchdLabel(spec)]],
    };
  }
  if (env.platform !== "linux")
    throw new Error(`kavilo service supports Linux (systemd) and macOS (launchd), not ${env.platform}`);
  const unit = systemdUnitName(spec);
  return {
    file: systemdUnitPath(env.userHome, spec),
    content: systemdUnit(spec),
    load: [
      ["systemctl", "--user", "daemon-reload"],
      ["systemctl", "--user", "enable", "--now", unit],
    ],
    unload: [
      ["systemctl", "--user", "disable", "--now", unit],
      ["systemctl", "--user", "daemon-reload"],
    ],
    status: [["systemctl", "--user", "status", "--no-pager", unit]],
  };
}

/** Runs the commands in order; when the first cannot run, prints them all for the user instead. */
function runOrPrint(cmds: string[][], env: ServiceEnv): boolean {
  for (const [i, [cmd, ...args]] of cmds.entries()) {
    const r = env.run(cmd as string, args);
    if (r.status === 0) continue;
    const why =
      r.status === null ? `${cmd} is not available here` : (r.stderr.trim().split("\n")[0] ?? "failed");
    env.out(`could not run \`${[cmd, ...args].join(" ")}\`: ${why}`);
    env.out("run these yourself:");
    for (const c of cmds.slice(i)) env.out(`  ${c.join(" ")}`);
    return false;
  }
  return true;
}

export async function installService(spec: ServiceSpec, env: ServiceEnv): Promise<boolean> {
  const plan = planFor(spec, env);
  await writeFileAtomic(plan.file, plan.content, { mode: 0o644 });
  env.out(`wrote ${plan.file}`);
  const ok = runOrPrint(plan.load, env);
  if (ok) env.out(`kavilo start is now a user service; logs: ${spec.kaviloHome}/logs/kavilo.log`);
  return ok;
}

export async function uninstallService(spec: ServiceSpec, env: ServiceEnv): Promise<boolean> {
  const plan = planFor(spec, env);
  if (!existsSync(plan.file)) {
    env.out(`no service installed for this profile (${plan.file} does not exist)`);
    return true;
  }
  const ok = runOrPrint(plan.unload.slice(0, 1), env);
  await rm(plan.file, { force: true });
  env.out(`removed ${plan.file}`);
  if (plan.unload.length > 1) runOrPrint(plan.unload.slice(1), env);
  return ok;
}

export function serviceStatus(spec: ServiceSpec, env: ServiceEnv): boolean {
  const plan = planFor(spec, env);
  if (!existsSync(plan.file)) {
    env.out(`not installed (${plan.file} does not exist); run: kavilo service install`);
    return false;
  }
  env.out(`installed: ${plan.file}`);
  let ok = true;
  for (const [cmd, ...args] of plan.status) {
    const r = env.run(cmd as string, args);
    if (r.status === null) {
      env.out(`${cmd} is not available here`);
      ok = false;
      continue;
    }
    const text = r.stdout.trim() || r.stderr.trim();
    if (text) env.out(text);
    if (r.status !== 0) {
      // systemctl status exits 3 for a stopped unit, launchctl list 113 for an unknown label.
      env.out(`\`${[cmd, ...args].join(" ")}\` exited with ${r.status}: the service is not running`);
      ok = false;
    }
  }
  return ok;
}
