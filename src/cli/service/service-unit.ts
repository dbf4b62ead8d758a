import { createHash } from "node:crypto";
import { realpathSync } from "node:fs";
import { join } from "node:path";

/** What a user service runs and where it lives: pure data, so tests need no real home. */
export interface ServiceSpec {
  /** The command that runs `kavilo start`: [node, bin/kavilo.js] or [single executable]. */
  command: string[];
  /** KAVILO_HOME of the profile. */
  kaviloHome: string;
  /** Profile name; undefined when KAVILO_HOME lies outside ~/.kavilo. */
  profile: string | undefined;
  /** PATH for the service, so tools the agent runs (git, python ...) are found. */
  path?: string;
  /** How long the service manager waits after SIGTERM before killing: past kavilo's own limit. */
  stopTimeoutS?: number;
}

/** A name per profile: the default profile is plain "kavilo". */
export function serviceSuffix(spec: Pick<ServiceSpec, "profile" | "kaviloHome">): string {
  if (spec.profile === "default") return "";
  if (spec.profile) return spec.profile;
  return `home-${createHash("sha256").update(spec.kaviloHome).digest("hex").slice(0, 8)}`;
}

export function systemdUnitName(spec: Pick<ServiceSpec, "profile" | "kaviloHome">): string {
  const suffix = serviceSuffix(spec);
  return suffix ? `kavilo-${suffix}.service` : "kavilo.service";
}

export function systemdUnitPath(userHome: string, spec: Pick<ServiceSpec, "profile" | "kaviloHome">): string {
  return join(userHome, ".config", "systemd", "user", systemdUnitName(spec));
}

/** systemd wants each argument quoted when it has spaces or quotes. */
function systemdQuote(arg: string): string {
  return /[\s"'\\]/.test(arg) ? `"${arg.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"` : arg;
}

export function systemdUnit(spec: ServiceSpec): string {
  const exec = [...spec.command, "start"].map(systemdQuote).join(" ");
  const env = [`Environment=${systemdQuote(`KAVILO_HOME=${spec.kaviloHome}`)}`];
  if (spec.path) env.push(`Environment=${systemdQuote(`PATH=${spec.path}`)}`);
  return [
    "[Unit]",
    `Description=kavilo agent (${spec.profile ?? spec.kaviloHome})`,
    "After=network-online.target",
    "Wants=network-online.target",
    "",
    "[Service]",
    "Type=simple",
    `ExecStart=${exec}`,
    ...env,
    "Restart=on-failure",
    "RestartSec=10",
    // Exit 2 is "already running" or a bad config: restarting every 10 s would not fix either.
    "RestartPreventExitStatus=2",
    // kavilo start exits by itself within shutdownDeadlineS + its margin; give it room past that.
    `TimeoutStopSec=${spec.stopTimeoutS ?? 30}`,
    "",
    "[Install]",
    "WantedBy=default.target",
    "",
  ].join("\n");
}

export function launchdLabel(spec: Pick<ServiceSpec, "profile" | "kaviloHome">): string {
  return `dev.kavilo.${serviceSuffix(spec) || "default"}`;
}

export function launchdPlistPath(
  userHome: string,
  spec: Pick<ServiceSpec, "profile" | "kaviloHome">,
): string {
  return join(userHome, "Library", "LaunchAgents", `${launchdLabel(spec)}.plist`);
}

const xml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function launchdPlist(spec: ServiceSpec): string {
  const args = [...spec.command, "start"].map((a) => `    <string>${xml(a)}</string>`);
  const env = [
    `    <key>KAVILO_HOME</key>\n    <string>${xml(spec.kaviloHome)}</string>`,
    ...(spec.path ? [`    <key>PATH</key>\n    <string>${xml(spec.path)}</string>`] : []),
  ];
  const log = join(spec.kaviloHome, "logs", "launchd.log");
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    "<dict>",
    "  <key>Label</key>",
    `  <string>${xml(launchdLabel(spec))}</string>`,
    "  <key>ProgramArguments</key>",
    "  <array>",
    ...args,
    "  </array>",
    "  <key>EnvironmentVariables</key>",
    "  <dict>",
    ...env,
    "  </dict>",
    "  <key>RunAtLoad</key>",
    "  <true/>",
    // launchd has no per-status exception: any non-zero exit (also 2, "already running") is
    // restarted, throttled to once per 10 s; a requested stop exits 0 and is not.
    "  <key>KeepAlive</key>",
    "  <dict>",
    "    <key>SuccessfulExit</key>",
    "    <false/>",
    "  </dict>",
    "  <key>StandardErrorPath</key>",
    `  <string>${xml(log)}</string>`,
    "  <key>StandardOutPath</key>",
    `  <string>${xml(log)}</string>`,
    "</dict>",
    "</plist>",
    "",
  ].join("\n");
}

/** True inside the single executable (Node SEA), where argv[1] is not a script. */
export function isSingleExecutable(): boolean {
  const sea = process.getBuiltinModule?.("node:sea") as { isSea?: () => boolean } | undefined;
  return sea?.isSea?.() ?? false;
}

/**
 * How this process was started, so the service runs the same kavilo with the same node. argv[1]
 * may be a link named `kavilo` (npm global install, npm link, npx): it is resolved to the script
 * it points at, so the unit keeps working whatever the link is called.
 */
export function currentCommand(
  execPath: string,
  argv1: string | undefined,
  opts: { isSea?: boolean; realpath?: (p: string) => string } = {},
): string[] {
  if (opts.isSea ?? isSingleExecutable()) return [execPath];
  if (!argv1) return [execPath];
  const resolve = opts.realpath ?? realpathSync;
  try {
    return [execPath, resolve(argv1)];
  } catch {
    return [execPath, argv1];
  }
}
