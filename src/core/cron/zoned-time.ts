/** Wall-clock parts of an instant in one time zone (undefined zone = the host's). */
export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(tz: string | undefined): Intl.DateTimeFormat {
  const key = tz ?? "";
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(key, f);
  }
  return f;
}

/** True when Intl knows the zone name. */
export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function localParts(ms: number, tz: string | undefined): LocalParts {
  const out: LocalParts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const p of formatterFor(tz).formatToParts(new Date(ms))) {
    if (p.type in out) out[p.type as keyof LocalParts] = Number(p.value);
  }
  return out;
}

function asUtc(p: LocalParts): number {
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
}

function sameWallTime(a: LocalParts, b: LocalParts): boolean {
  return (
    a.year === b.year &&
    a.month === b.month &&
    a.day === b.day &&
    a.hour === b.hour &&
    a.minute === b.minute &&
    a.second === b.second
  );
}

/**
 * The instant at which the zone's clock shows `p`, or undefined when that wall time does not
 * exist (skipped by a DST jump). For a repeated wall time (DST fall-back) the earlier instant wins.
 */
export function zonedToInstant(p: LocalParts, tz: string | undefined): number | undefined {
  const guess = asUtc(p);
  const offsetAt = (ms: number) => asUtc(localParts(ms, tz)) - Math.floor(ms / 1000) * 1000;
  const candidates = new Set([guess - offsetAt(guess)]);
  for (const c of [...candidates]) candidates.add(guess - offsetAt(c));
  // An offset from the other side of a transition can also land on the wall time.
  candidates.add(guess - offsetAt(guess - 86_400_000));
  candidates.add(guess - offsetAt(guess + 86_400_000));
  const valid = [...candidates].filter((c) => sameWallTime(localParts(c, tz), p)).sort((a, b) => a - b);
  return valid[0];
}

export function nextCalendarDay(p: Pick<LocalParts, "year" | "month" | "day">) {
  const d = new Date(Date.UTC(p.year, p.month - 1, p.day + 1));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}
