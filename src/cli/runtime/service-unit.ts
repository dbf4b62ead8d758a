import { createHash } from "node:crypto";
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
    // kavilo start finishes turns on SIGTERM within runtime.shutdownDeadlineS; give it room.
    "TimeoutStopSec=30",
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

/** How this process was started, so the service runs the same kavilo with the same node. */
export function currentCommand(execPath: string, argv1: string | undefined): string[] {
  return argv1 && /\.(c|m)?js$/.test(argv1) ? [execPath, argv1] : [execPath];
}
