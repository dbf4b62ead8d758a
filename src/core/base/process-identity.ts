import { readFileSync } from "node:fs";

/**
 * When process `pid` started, as a token that differs for a different process with the same pid
 * (pids are reused, most of all after a reboot). Linux: the boot id and the start time in clock
 * ticks from /proc; elsewhere `ps -o lstart=`. Undefined when it cannot be told (no such process,
 * no /proc and no ps).
 */
export function processStartToken(pid: number): string | undefined {
  if (process.platform === "linux") {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // Fields after the command name, which is in parentheses and may contain spaces.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
      const start = fields[19];
      if (start) return `linux:${boot}:${start}`;
    } catch {
      // No /proc here: try ps.
    }
  }
  try {
    // Taken here, not imported: every run that takes a lock loads this module, and only a system
    // without /proc runs ps.
    const { execFileSync } = process.getBuiltinModule("node:child_process");
    const out = execFileSync("ps", ["-o", "lstart=", "-p", String(pid)], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 2000,
    }).trim();
    return out ? `ps:${out}` : undefined;
  } catch {
    return undefined;
  }
}
