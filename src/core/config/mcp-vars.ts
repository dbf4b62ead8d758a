/**
 * `${VAR}` and `${VAR:-default}` in an MCP server's command, args, env, url and headers, as Claude
 * Code, Cursor and Cline configs write them, so a pasted block works unchanged.
 */
const VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export interface Expanded<T> {
  value: T;
  /** Variables that were referenced without a default and are not set. */
  missing: string[];
}

export function expandString(text: string, env: NodeJS.ProcessEnv, missing: string[]): string {
  return text.replace(VAR, (whole: string, name: string, fallback: string | undefined) => {
    const value = env[name];
    if (value !== undefined && value !== "") return value;
    if (fallback !== undefined) return fallback;
    if (!missing.includes(name)) missing.push(name);
    // left as written, so a failure to connect shows what was not filled in
    return whole;
  });
}

const EXPANDED_STRINGS = ["command", "url", "envFile", "cwd"] as const;
const EXPANDED_MAPS = ["env", "headers"] as const;

/** Expands the variables of one server entry as written in config.json; other keys are left alone. */
export function expandMcpServerVars(entry: unknown, env: NodeJS.ProcessEnv): Expanded<unknown> {
  const missing: string[] = [];
  if (entry === null || typeof entry !== "object" || Array.isArray(entry)) return { value: entry, missing };
  const out: Record<string, unknown> = { ...(entry as Record<string, unknown>) };
  for (const key of EXPANDED_STRINGS) {
    const v = out[key];
    if (typeof v === "string") out[key] = expandString(v, env, missing);
  }
  if (Array.isArray(out.args)) {
    out.args = out.args.map((a) => (typeof a === "string" ? expandString(a, env, missing) : a));
  }
  for (const key of EXPANDED_MAPS) {
    const map = out[key];
    if (map === null || typeof map !== "object" || Array.isArray(map)) continue;
    out[key] = Object.fromEntries(
      Object.entries(map as Record<string, unknown>).map(([k, v]) => [
        k,
        typeof v === "string" ? expandString(v, env, missing) : v,
      ]),
    );
  }
  return { value: out, missing };
}

/** One warning per MCP server that names a variable with no value and no default. */
export function missingMcpVarWarnings(raw: unknown, env: NodeJS.ProcessEnv, file: string): string[] {
  const servers = (raw as { tools?: { mcpServers?: unknown } } | undefined)?.tools?.mcpServers;
  if (servers === null || typeof servers !== "object") return [];
  return Object.entries(servers as Record<string, unknown>).flatMap(([alias, entry]) => {
    const { missing } = expandMcpServerVars(entry, env);
    if (missing.length === 0) return [];
    const names = missing.map((m) => `\${${m}}`).join(", ");
    return [
      `tools.mcpServers.${alias} in ${file} uses ${names}, which is not set: export it, or give a default as \${${missing[0]}:-value}`,
    ];
  });
}
