export interface Frontmatter {
  /** The YAML mapping between the `---` lines; empty when there is none. */
  data: Record<string, unknown>;
  /** The Markdown after the frontmatter. */
  body: string;
  /** Why the frontmatter could not be read (bad YAML, not a mapping). */
  error?: string;
}

const BLOCK = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

/** The YAML between the `---` lines, if the text starts with a frontmatter block. */
export function frontmatterBlock(text: string): string | undefined {
  return BLOCK.exec(text)?.[1];
}

/**
 * Splits a SKILL.md into its YAML frontmatter and body. The parser is passed in: the caller loads the
 * YAML package lazily, only for a frontmatter that simple-yaml.ts cannot read exactly.
 */
export function splitFrontmatter(text: string, parse: (source: string) => unknown): Frontmatter {
  const match = BLOCK.exec(text);
  if (!match) return { data: {}, body: text, error: "no YAML frontmatter (a block between --- lines)" };
  const body = text.slice(match[0].length);
  let value: unknown;
  try {
    value = parse(match[1] ?? "");
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split("\n")[0];
    return { data: {}, body, error: `invalid YAML frontmatter: ${first}` };
  }
  if (value === null || value === undefined) return { data: {}, body };
  if (typeof value !== "object" || Array.isArray(value))
    return { data: {}, body, error: "the frontmatter is not a mapping of keys to values" };
  return { data: value as Record<string, unknown>, body };
}
