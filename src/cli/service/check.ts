import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import type { ResolvedHome } from "../../core/home.js";
import type { Check, Probe } from "../../diagnostics/types.js";
import {
  launchdLabel,
  launchdPlistPath,
  type ServiceSpec,
  systemdUnitName,
  systemdUnitPath,
} from "./service-unit.js";

/** How long the service manager may take to say whether the unit runs. */
const ASK_TIMEOUT_MS = 2_000;

type Running = { running: true } | { running: false; state: string } | { unknown: string };

/** Runs a service manager's query; never throws (a missing command is a `code` of ENOENT). */
function query(
  cmd: string,
  args: string[],
  signal?: AbortSignal,
): Promise<{ code: number | string; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: ASK_TIMEOUT_MS, signal, encoding: "utf8" }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
      const code = !e ? 0 : e.killed ? "timeout" : (e.code ?? 1);
      resolve({ code, stdout: String(stdout ?? ""), stderr: String(stderr ?? "") });
    });
  });
}

const firstLine = (text: string) => text.trim().split("\n")[0]?.trim() ?? "";

/** systemd: `systemctl --user is-active <unit>` prints the unit's state. */
async function systemdRunning(unit: string, signal?: AbortSignal): Promise<Running> {
  const r = await query("systemctl", ["--user", "is-active", unit], signal);
  if (r.code === "ENOENT") return { unknown: "no systemctl here to ask whether it runs" };
  if (r.code === "timeout") return { unknown: "systemctl did not say in time whether it runs" };
  const state = firstLine(r.stdout);
  if (state === "active" || state === "activating" || state === "reloading") return { running: true };
  if (/^(inactive|failed|deactivating)$/.test(state)) return { running: false, state };
  return {
    unknown: `systemctl cannot tell whether it runs: ${firstLine(r.stderr) || state || `exit ${r.code}`}`,
  };
}

/** launchd: `launchctl list <label>` fails for a job that is not loaded, and shows a PID while it runs. */
async function launchdRunning(label: string, signal?: AbortSignal): Promise<Running> {
  const r = await query("launchctl", ["list", label], signal);
  if (r.code === "ENOENT") return { unknown: "no launchctl here to ask whether it runs" };
  if (r.code === "timeout") return { unknown: "launchctl did not say in time whether it runs" };
  if (r.code !== 0) return { running: false, state: "not loaded" };
  if (/"PID"\s*=\s*\d+/.test(r.stdout)) return { running: true };
  const exit = /"LastExitStatus"\s*=\s*(-?\d+)/.exec(r.stdout)?.[1];
  return { running: false, state: exit ? `loaded, last exit ${exit}` : "loaded, not running" };
}

/** The command a unit file runs: systemd's ExecStart, or launchd's ProgramArguments. */
function commandOf(text: string, launchd: boolean): string[] {
  if (launchd) {
    const args = /<key>ProgramArguments<\/key>\s*<array>([\s\S]*?)<\/array>/.exec(text)?.[1] ?? "";
    return [...args.matchAll(/<string>([^<]*)<\/string>/g)].map((m) =>
      (m[1] ?? "")
        .replace(/&lt;/g, "<")
        .replace(/&gt;/g, ">")
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, "&"),
    );
  }
  const line = /^ExecStart=(.*)$/m.exec(text)?.[1] ?? "";
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) =>
    m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : (m[2] ?? ""),
  );
}

/**
 * The service unit of this profile (`kavilo service install`): not installed, pointing at a node or
 * script that is gone (an upgrade moved it), installed but not running (asked of systemctl or
 * launchctl, within 2 s), or running.
 */
export async function serviceCheck(
  spec: Pick<ServiceSpec, "profile" | "kaviloHome">,
  env: { platform: NodeJS.Platform; userHome: string },
  signal?: AbortSignal,
): Promise<Check> {
  const id = "service.unit";
  if (env.platform !== "linux" && env.platform !== "darwin") {
    return {
      id,
      area: "service",
      status: "skip",
      summary: `no service manager kavilo knows on ${env.platform}`,
    };
  }
  const launchd = env.platform === "darwin";
  const file = launchd ? launchdPlistPath(env.userHome, spec) : systemdUnitPath(env.userHome, spec);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    return {
      id,
      area: "service",
      status: "skip",
      summary: "no service unit (kavilo service install runs kavilo start at login)",
    };
  }
  const command = commandOf(text, launchd).filter((a) => a !== "start");
  const gone = command.filter((a) => a.startsWith("/") && !existsSync(a));
  if (command.length === 0 || gone.length > 0) {
    return {
      id,
      area: "service",
      status: "fail",
      summary: `${file} runs ${gone.length ? `${gone.join(" ")}, which is gone` : "nothing kavilo can read"}`,
      fix: "run kavilo service install again",
    };
  }
  const unit = launchd ? launchdLabel(spec) : systemdUnitName(spec);
  const r = launchd ? await launchdRunning(unit, signal) : await systemdRunning(unit, signal);
  if ("unknown" in r) {
    return { id, area: "service", status: "ok", summary: `installed: ${file} (${r.unknown})` };
  }
  if (r.running) return { id, area: "service", status: "ok", summary: `installed and running: ${file}` };
  return {
    id,
    area: "service",
    status: "warn",
    summary: `installed but not running (${r.state}): ${file}`,
    fix: launchd
      ? `launchctl load -w ${file}`
      : `systemctl --user start ${unit} (journalctl --user -u ${unit} says why it stopped)`,
  };
}

/** The service check as a probe, for doctor and status (the unit files' places are the CLI's). */
export function serviceProbe(home: Pick<ResolvedHome, "profile" | "home">, env: NodeJS.ProcessEnv): Probe {
  return {
    id: "service.unit",
    area: "service",
    network: false,
    run: (signal) =>
      serviceCheck(
        { profile: home.profile, kaviloHome: home.home },
        { platform: process.platform, userHome: env.HOME || homedir() },
        signal,
      ),
  };
}
