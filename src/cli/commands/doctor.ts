import { redactString } from "../../core/base/redact.js";
import type { Check, Probe } from "../../diagnostics/index.js";
import type { CliContext } from "../context.js";

export interface DoctorOptions {
  json?: boolean;
  fix?: boolean;
}

const LABEL: Record<Check["status"], string> = { ok: "ok", warn: "warn", fail: "FAIL", skip: "skip" };

function line(c: Check): string {
  const head = `${LABEL[c.status].padEnd(5)} ${c.area.padEnd(12)} ${redactString(c.summary)}`;
  return c.fix && (c.status === "warn" || c.status === "fail")
    ? `${head}\n${" ".repeat(19)}→ ${redactString(c.fix)}\n`
    : `${head}\n`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** 0 when all is well, 1 when something deserves a look, 2 when something is broken. */
function exitCode(checks: readonly Check[]): number {
  if (checks.some((c) => c.status === "fail")) return 2;
  return checks.some((c) => c.status === "warn") ? 1 : 0;
}

/**
 * `kavilo doctor [--json] [--fix]`: every check, each within its time budget (network ones 5 s, all
 * at once), printed as it finishes; `--fix` then makes the safe, reversible repairs and says what
 * it changed. Exit 0, 1 (warnings) or 2 (failures), counting what is still wrong after the fixes.
 */
export default async function doctor(ctx: CliContext, opts: DoctorOptions = {}): Promise<number> {
  const [{ diagnosticProbes, runChecks }, { serviceProbe }, { applyRepair, repairOrder }] = await Promise.all(
    [
      import("../../diagnostics/index.js"),
      import("../service/check.js"),
      import("../../diagnostics/repair.js"),
    ],
  );
  ctx.muteConfigWarnings?.();
  const probes: Probe[] = [...diagnosticProbes(ctx), serviceProbe(ctx.home, ctx.env)];
  const out = (text: string) => process.stdout.write(text);
  const checks: Check[] = [];
  for await (const c of runChecks(probes)) {
    checks.push(c);
    if (!opts.json) out(line(c));
  }
  const fixed: Array<{ id: string; change: string }> = [];
  const failedFixes: Array<{ id: string; error: string }> = [];
  if (opts.fix) {
    const todo = checks.filter((c) => c.repair && (c.status === "warn" || c.status === "fail"));
    todo.sort((a, b) => repairOrder(a.repair!, b.repair!));
    for (const c of todo) {
      if (!c.repair) continue;
      try {
        const change = await applyRepair(c.repair);
        fixed.push({ id: c.id, change });
        c.status = "ok";
        c.summary = `fixed: ${change}`;
        delete c.fix;
        if (!opts.json) out(`fixed ${change}\n`);
      } catch (err) {
        const error = redactString((err as Error).message);
        failedFixes.push({ id: c.id, error });
        if (!opts.json) out(`could not fix ${c.id}: ${error}\n`);
      }
    }
    if (!opts.json && fixed.length === 0 && failedFixes.length === 0) out("nothing to fix\n");
  }
  const count = (s: Check["status"]) => checks.filter((c) => c.status === s).length;
  const code = exitCode(checks);
  if (opts.json) {
    const shown = checks.map(({ repair, data: _data, ...c }) => ({
      ...c,
      summary: redactString(c.summary),
      ...(c.fix ? { fix: redactString(c.fix) } : {}),
      ...(repair ? { fixable: true } : {}),
    }));
    const result = code === 2 ? "fail" : code === 1 ? "warn" : "ok";
    const doc = { status: result, checks: shown, ...(opts.fix ? { fixed, failedFixes } : {}) };
    out(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    const fixable = checks.filter((c) => c.repair && (c.status === "warn" || c.status === "fail")).length;
    const hint = !opts.fix && fixable ? `; kavilo doctor --fix can repair ${fixable}` : "";
    out(
      `\n${count("ok")} ok, ${plural(count("warn"), "warning")}, ${plural(count("fail"), "failure")}, ` +
        `${count("skip")} skipped${hint}\n`,
    );
  }
  // A server that never answered may still hold a socket the aborted check left behind: the
  // report is out, so it must not keep the process waiting.
  setTimeout(() => process.exit(code), 1_000).unref();
  return code;
}
