/** The JSON text of the tool catalog, compiled in by scripts/build.mjs; undeclared from source. */
declare const KAVILO_TOOL_CATALOG: string | undefined;

let parsed: Readonly<Record<string, unknown>> | undefined;

/**
 * One part of the tool catalog the build computed from the real tool factories and compiled in
 * (scripts/tool-catalog.mjs: `builtin` and `self`); undefined when running from source, where the
 * caller computes it from the factories instead. A string the bundler inlines here, parsed once.
 */
export function embeddedToolCatalog<T>(part: "builtin" | "self"): T | undefined {
  if (typeof KAVILO_TOOL_CATALOG !== "string") return undefined;
  parsed ??= JSON.parse(KAVILO_TOOL_CATALOG) as Record<string, unknown>;
  return parsed[part] as T | undefined;
}
