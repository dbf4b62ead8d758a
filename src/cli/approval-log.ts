import { join } from "node:path";
import { redactText } from "../core/base/redact.js";
import { openRotatingFile } from "../core/base/rotating-file.js";
import { profileSecretValues } from "../core/config/secret-paths.js";
import type { CliContext } from "./context.js";

/**
 * Where the TUI and `agent -m` log approval decisions (tools.approval: who allowed or denied what):
 * the profile's log file, logs/kavilo.log, as one JSON line in `kavilo start`'s format, and on
 * stderr with --debug (`echo`). Opened per line (decisions are rare), so nothing stays open; the
 * profile's secrets are gathered at the first line.
 */
export function profileApprovalLog(ctx: CliContext, echo: (line: string) => void): (line: string) => void {
  let secrets: string[] | undefined;
  return (line) => {
    const { config, paths } = ctx.config();
    const file = join(paths.logs, "kavilo.log");
    secrets ??= profileSecretValues(config, ctx.env);
    const msg = redactText(line, secrets);
    if (ctx.debug) echo(msg);
    try {
      const out = openRotatingFile(file);
      out.write(
        `${JSON.stringify({ level: "info", time: new Date().toISOString(), pid: process.pid, msg })}\n`,
      );
      out.close();
    } catch (err) {
      echo(`could not log to ${file}: ${(err as Error).message}`);
    }
  };
}
