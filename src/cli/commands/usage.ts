import { UsageLog, type UsageTotals } from "../../core/usage.js";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";

function fmt(n: number): string {
  return n.toLocaleString("en-US");
}

function row(label: string, t: UsageTotals): string {
  return [
    label.padEnd(34),
    String(t.calls).padStart(6),
    fmt(t.input).padStart(12),
    fmt(t.output).padStart(12),
    fmt(t.reasoning).padStart(10),
    fmt(t.cacheRead).padStart(12),
    fmt(t.cacheWrite).padStart(12),
  ].join(" ");
}

export default async function usage(
  ctx: CliContext,
  opts: { json?: boolean; days?: string } = {},
): Promise<number> {
  let days: number | undefined;
  if (opts.days !== undefined) {
    days = Number(opts.days);
    if (!Number.isInteger(days) || days <= 0) throw new CliError("--days takes a positive whole number", 2);
  }
  const summary = await new UsageLog(ctx.basePaths.usage).summary(days !== undefined ? { days } : {});
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return 0;
  }
  if (summary.total.calls === 0) {
    process.stdout.write("no usage recorded yet\n");
    return 0;
  }
  const head = `${"".padEnd(34)} ${"calls".padStart(6)} ${"input".padStart(12)} ${"output".padStart(12)} ${"reasoning".padStart(10)} ${"cache read".padStart(12)} ${"cache write".padStart(12)}`;
  const lines = ["Per day", head, ...summary.days.map((d) => row(d.date, d)), "", "Per model", head];
  lines.push(
    ...summary.models.map((m) => row(`${m.provider}/${m.model}`, m)),
    "",
    row("Total", summary.total),
  );
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}
