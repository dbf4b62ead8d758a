import type { GlobalFlags } from "./invoke.js";

// The argument shapes the fast path (fast.ts) runs without building the commander program: the
// one-shot `agent -m` and `mcp serve self|slack`, the two commands whose start-up is the product's
// (an editor spawns the MCP server; scripts and chats wait on the one-shot). Anything this parser
// does not know exactly (help, combined or attached short flags, `--`, an unknown option) returns
// undefined and commander handles it. For what it accepts it gives exactly what commander gives:
// test/unit/fast-argv.test.ts checks both against each other.

/** The agent command's options as commander parses them (see main.ts). */
export interface FastAgentOptions {
  message: string;
  session: string;
  new?: true;
  model?: string;
  quiet?: true;
  json?: true;
  yes?: true;
  file?: string[];
  continue?: true;
  resume?: string;
}

export type FastInvocation =
  | { command: "agent"; flags: GlobalFlags; options: FastAgentOptions }
  | { command: "mcp serve"; flags: GlobalFlags; server: string; options: { alias?: string } };

type Spec = { key: string; takes: "value" | "flag" | "list" };

const GLOBAL: Record<string, Spec> = {
  "-p": { key: "profile", takes: "value" },
  "--profile": { key: "profile", takes: "value" },
  "-i": { key: "instance", takes: "value" },
  "--instance": { key: "instance", takes: "value" },
  "--debug": { key: "debug", takes: "flag" },
};

const AGENT: Record<string, Spec> = {
  "-m": { key: "message", takes: "value" },
  "--message": { key: "message", takes: "value" },
  "-s": { key: "session", takes: "value" },
  "--session": { key: "session", takes: "value" },
  "--new": { key: "new", takes: "flag" },
  "--model": { key: "model", takes: "value" },
  "-q": { key: "quiet", takes: "flag" },
  "--quiet": { key: "quiet", takes: "flag" },
  "--json": { key: "json", takes: "flag" },
  "-y": { key: "yes", takes: "flag" },
  "--yes": { key: "yes", takes: "flag" },
  "--file": { key: "file", takes: "list" },
  "-c": { key: "continue", takes: "flag" },
  "--continue": { key: "continue", takes: "flag" },
  "-r": { key: "resume", takes: "value" },
  "--resume": { key: "resume", takes: "value" },
};

const SERVE: Record<string, Spec> = { "--alias": { key: "alias", takes: "value" } };

/**
 * Reads options from `args` into `globals` and `own`, positionals into `positionals`; false for
 * anything it does not know exactly. A value option takes the next argument; `--long=value` is the
 * same as `--long value`.
 */
function readOptions(
  args: readonly string[],
  own: Record<string, Spec>,
  globals: Record<string, unknown>,
  opts: Record<string, unknown>,
  positionals: string[],
): boolean {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = GLOBAL[name] ?? own[name];
    if (!spec) return false;
    const into = GLOBAL[name] ? globals : opts;
    if (spec.takes === "flag") {
      if (eq > 0) return false;
      into[spec.key] = true;
      continue;
    }
    let value: string;
    if (eq > 0) value = arg.slice(eq + 1);
    else if (i + 1 < args.length) value = args[++i]!;
    else return false;
    // commander reads a global option (`--debug`) even where a value is expected: leave any value
    // that looks like an option (but `-`, stdin) to it.
    if (eq < 0 && value.startsWith("-") && value !== "-") return false;
    if (spec.takes === "list") into[spec.key] = [...((into[spec.key] as string[] | undefined) ?? []), value];
    else into[spec.key] = value;
  }
  return true;
}

/** The fast-path invocation `args` (process.argv without node and the script) asks for, if any. */
export function parseFastArgv(args: readonly string[]): FastInvocation | undefined {
  // Global options may come before the command word.
  let at = 0;
  const globals: Record<string, unknown> = {};
  while (at < args.length && args[at]!.startsWith("-")) {
    const spec = GLOBAL[args[at]!];
    if (!spec) return undefined;
    if (spec.takes === "flag") globals[spec.key] = true;
    else if (at + 1 < args.length && !args[at + 1]!.startsWith("-")) globals[spec.key] = args[++at];
    else return undefined;
    at++;
  }
  const [word, ...rest] = args.slice(at);
  const flags = (): GlobalFlags => ({
    ...(globals.profile !== undefined ? { profile: globals.profile as string } : {}),
    ...(globals.instance !== undefined ? { instance: globals.instance as string } : {}),
  });
  const positionals: string[] = [];
  if (word === "agent") {
    const opts: Record<string, unknown> = { session: "cli:default" };
    if (!readOptions(rest, AGENT, globals, opts, positionals) || positionals.length > 0) return undefined;
    if (typeof opts.message !== "string") return undefined;
    return { command: "agent", flags: flags(), options: opts as unknown as FastAgentOptions };
  }
  if (word === "mcp" && rest[0] === "serve") {
    const opts: Record<string, unknown> = {};
    if (!readOptions(rest.slice(1), SERVE, globals, opts, positionals) || positionals.length !== 1) {
      return undefined;
    }
    return { command: "mcp serve", flags: flags(), server: positionals[0]!, options: opts };
  }
  return undefined;
}
