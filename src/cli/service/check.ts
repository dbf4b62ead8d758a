import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { Check } from "../../diagnostics/types.js";
import { launchdPlistPath, type ServiceSpec, systemdUnitPath } from "./service-unit.js";

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
 * The service unit of this profile (`kavilo service install`): not installed, installed and
 * runnable, or pointing at a node or script that is gone (an upgrade moved it).
 */
export async function serviceCheck(
  spec: Pick<ServiceSpec, "profile" | "kaviloHome">,
  env: { platform: NodeJS.Platform; userHome: string },
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
  return { id, area: "service", status: "ok", summary: `installed: ${file}` };
}
