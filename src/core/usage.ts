import { mkdir, readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Usage } from "../providers/types.js";
import { AppendError, appendWhole } from "./base/append-whole.js";

export interface UsageRecord {
  at: string;
  provider: string;
  model: string;
  session: string;
  input: number;
  output: number;
  reasoning: number;
  cacheRead: number;
  cacheWrite: number;
}

export interface UsageTotals {
  calls: number;
  input: number;
  output: number;
  reasoning: number;
  cacheRead: number;
  cacheWrite: number;
}

export interface UsageSummary {
  days: Array<{ date: string } & UsageTotals>;
  models: Array<{ provider: string; model: string } & UsageTotals>;
  total: UsageTotals;
}

const emptyTotals = (): UsageTotals => ({
  calls: 0,
  input: 0,
  output: 0,
  reasoning: 0,
  cacheRead: 0,
  cacheWrite: 0,
});

function add(t: UsageTotals, r: UsageRecord): void {
  t.calls += 1;
  t.input += r.input;
  t.output += r.output;
  t.reasoning += r.reasoning;
  t.cacheRead += r.cacheRead;
  t.cacheWrite += r.cacheWrite;
}

/** Appends one record per LLM call to usage/<YYYY-MM-DD>.jsonl (UTC days). */
export class UsageLog {
  constructor(readonly dir: string) {}

  async record(entry: {
    provider: string;
    model: string;
    session: string;
    usage: Usage;
    at?: Date;
  }): Promise<void> {
    const at = entry.at ?? new Date();
    const record: UsageRecord = {
      at: at.toISOString(),
      provider: entry.provider,
      model: entry.model,
      session: entry.session,
      input: entry.usage.input,
      output: entry.usage.output,
      reasoning: entry.usage.reasoning ?? 0,
      cacheRead: entry.usage.cacheRead ?? 0,
      cacheWrite: entry.usage.cacheWrite ?? 0,
    };
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = join(this.dir, `${record.at.slice(0, 10)}.jsonl`);
    const size = await stat(file).then(
      (s) => s.size,
      () => undefined,
    );
    try {
      await appendWhole(file, `${JSON.stringify(record)}\n`, size);
    } catch (err) {
      const why = err instanceof AppendError && err.diskFull ? "disk full" : (err as Error).message;
      throw new Error(`${why}: a usage record was not saved to ${file}`, { cause: err });
    }
  }

  async records(sinceDate?: string): Promise<UsageRecord[]> {
    let files: string[];
    try {
      files = (await readdir(this.dir)).filter((f) => /^\d{4}-\d{2}-\d{2}\.jsonl$/.test(f)).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
    if (sinceDate) files = files.filter((f) => f.slice(0, 10) >= sinceDate);
    const out: UsageRecord[] = [];
    for (const f of files) {
      for (const line of (await readFile(join(this.dir, f), "utf8")).split("\n")) {
        if (!line.trim()) continue;
        try {
          out.push(JSON.parse(line) as UsageRecord);
        } catch {
          // a torn line from a crash: skipped, the rest counts
        }
      }
    }
    return out;
  }

  async summary(opts: { days?: number; now?: Date } = {}): Promise<UsageSummary> {
    let since: string | undefined;
    if (opts.days !== undefined) {
      const d = new Date(opts.now ?? Date.now());
      d.setUTCDate(d.getUTCDate() - (opts.days - 1));
      since = d.toISOString().slice(0, 10);
    }
    return summarize(await this.records(since));
  }
}

export function summarize(records: UsageRecord[]): UsageSummary {
  const days = new Map<string, UsageTotals>();
  const models = new Map<string, { provider: string; model: string } & UsageTotals>();
  const total = emptyTotals();
  for (const r of records) {
    const day = r.at.slice(0, 10);
    if (!days.has(day)) days.set(day, emptyTotals());
    add(days.get(day)!, r);
    const key = `${r.provider}\u0000${r.model}`;
    if (!models.has(key)) models.set(key, { provider: r.provider, model: r.model, ...emptyTotals() });
    add(models.get(key)!, r);
    add(total, r);
  }
  return {
    days: [...days.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([date, t]) => ({ date, ...t })),
    models: [...models.values()].sort((a, b) => b.input + b.output - (a.input + a.output)),
    total,
  };
}

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    input: a.input + b.input,
    output: a.output + b.output,
    reasoning: (a.reasoning ?? 0) + (b.reasoning ?? 0),
    cacheRead: (a.cacheRead ?? 0) + (b.cacheRead ?? 0),
    cacheWrite: (a.cacheWrite ?? 0) + (b.cacheWrite ?? 0),
  };
}
