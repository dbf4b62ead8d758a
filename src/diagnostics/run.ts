import { redactString } from "../core/base/redact.js";
import type { Check, Probe } from "./types.js";

export const NETWORK_TIMEOUT_MS = 5_000;
export const LOCAL_TIMEOUT_MS = 3_000;

function oneLine(text: string): string {
  const line = text.split("\n").find((l) => l.trim()) ?? text;
  return redactString(line.trim()).slice(0, 300);
}

/** Runs one probe against its time budget; a probe that throws or overruns becomes a failed check. */
async function runProbe(probe: Probe): Promise<Check[]> {
  const ms = probe.timeoutMs ?? (probe.network ? NETWORK_TIMEOUT_MS : LOCAL_TIMEOUT_MS);
  const ctrl = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<Check[]>((resolve) => {
    timer = setTimeout(() => {
      ctrl.abort(new Error("timeout"));
      resolve([
        {
          id: probe.id,
          area: probe.area,
          status: "fail",
          summary: `no answer within ${ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`}`,
          fix: probe.network ? "check the network and that the server is up" : "run kavilo doctor again",
        },
      ]);
    }, ms);
  });
  const work = probe.run(ctrl.signal).then(
    (r) => (Array.isArray(r) ? r : [r]),
    (err: unknown): Check[] => [
      {
        id: probe.id,
        area: probe.area,
        status: "fail",
        summary: `check failed: ${oneLine(err instanceof Error ? err.message : String(err))}`,
      },
    ],
  );
  try {
    return await Promise.race([work, overrun]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every probe at once and yields their checks as each finishes. */
export async function* runChecks(probes: readonly Probe[]): AsyncGenerator<Check> {
  const pending = new Map<number, Promise<{ key: number; checks: Check[] }>>();
  probes.forEach((p, key) => {
    pending.set(
      key,
      runProbe(p).then((checks) => ({ key, checks })),
    );
  });
  while (pending.size > 0) {
    const { key, checks } = await Promise.race(pending.values());
    pending.delete(key);
    yield* checks;
  }
}

/** Every check of the probes, in the probes' order (for reports that are not streamed). */
export async function collectChecks(probes: readonly Probe[]): Promise<Check[]> {
  return (await Promise.all(probes.map(runProbe))).flat();
}

/** The worst status: fail > warn > ok; skip counts as nothing. */
export function worstStatus(checks: readonly Check[]): "ok" | "warn" | "fail" {
  if (checks.some((c) => c.status === "fail")) return "fail";
  if (checks.some((c) => c.status === "warn")) return "warn";
  return "ok";
}
