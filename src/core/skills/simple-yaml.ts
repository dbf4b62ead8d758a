/**
 * The frontmatter of most SKILL.md files is a few `key: value` lines. Loading the YAML parser costs
 * more start-up time than a one-shot turn's own work, so such blocks are read here, and only when
 * this reading is exactly what YAML would give: each line a top-level key with either a JSON value
 * (JSON is YAML 1.2 flow syntax: nanobot's `metadata: {"nanobot": ...}`) or a plain scalar that YAML
 * reads as the same string. Anything else (indentation, block scalars, quotes, comments, numbers,
 * booleans, anchors, duplicate keys) returns undefined and goes to the real parser.
 */

const LINE = /^([A-Za-z_][\w-]*):(?:[ \t]+(.*))?$/;
/** Starts like a YAML indicator, a quote, a number or a special word: not a plain string scalar. */
const NOT_PLAIN = /^(?:[-?:,[\]{}#&*!|>'"%@`+.\d~]|(?:true|false|null|yes|no|on|off)$)/i;

function plain(value: string): string | undefined {
  if (NOT_PLAIN.test(value) || /:(\s|$)|\s#/.test(value)) return undefined;
  return value;
}

export function parseSimpleYaml(source: string): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const raw of source.split(/\r?\n/)) {
    if (raw.trim() === "") continue;
    const m = LINE.exec(raw.trimEnd());
    if (!m) return undefined;
    const key = m[1]!;
    const value = (m[2] ?? "").trim();
    if (key in out || value === "") return undefined;
    if (value.startsWith("{") || value.startsWith("[") || value.startsWith('"')) {
      try {
        out[key] = JSON.parse(value) as unknown;
      } catch {
        return undefined;
      }
      continue;
    }
    const text = plain(value);
    if (text === undefined) return undefined;
    out[key] = text;
  }
  return out;
}
