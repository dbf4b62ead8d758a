import { readFile } from "node:fs/promises";
import { isDeepStrictEqual } from "node:util";
import { updateConfigFile } from "../../core/config/update-file.js";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";

const out = (line: string) => process.stdout.write(`${line}\n`);

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => v !== null && typeof v === "object" && !Array.isArray(v);

/** One line saying what a server entry runs or reaches. */
function summary(entry: Raw): string {
  if (typeof entry.url === "string") return `${entry.url}${entry.type === "sse" ? " (sse)" : ""}`;
  const args = Array.isArray(entry.args) ? entry.args.map(String) : [];
  return [String(entry.command ?? "?"), ...args].join(" ");
}

/** VS Code's `${input:id}`: a value VS Code prompts for, which kavilo cannot fill in. */
const VS_CODE_INPUT = /\$\{input:[^}]*\}/;

/**
 * `kavilo mcp import <file>`: the `mcpServers` block of a Claude Desktop, Cursor, Claude Code or
 * Cline config (or the `servers` block of VS Code's mcp.json) merged into tools.mcpServers. An alias
 * kavilo already has is kept as it is.
 */
export default async function mcpImport(ctx: CliContext, file: unknown): Promise<number> {
  const source = String(file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(source, "utf8"));
  } catch (err) {
    const why = err instanceof SyntaxError ? `not valid JSON (${err.message})` : (err as Error).message;
    throw new CliError(`cannot import ${source}: ${why}`, 1);
  }
  const servers = isObject(parsed) ? (parsed.mcpServers ?? parsed.servers) : undefined;
  if (!isObject(servers)) {
    throw new CliError(`no "mcpServers" (or VS Code "servers") block in ${source}: nothing to import`, 1);
  }
  const added: string[] = [];
  const lines: string[] = [];
  const target = ctx.basePaths.config;
  await updateConfigFile(target, (next) => {
    const tools = isObject(next.tools) ? next.tools : {};
    const current = isObject(tools.mcpServers) ? tools.mcpServers : {};
    for (const [alias, entry] of Object.entries(servers)) {
      if (!isObject(entry)) {
        lines.push(`skipped ${alias}: not a server entry`);
        continue;
      }
      if (Object.hasOwn(current, alias)) {
        lines.push(
          isDeepStrictEqual(current[alias], entry)
            ? `unchanged ${alias}`
            : `kept the existing ${alias} (kavilo config unset tools.mcpServers.${alias} first to replace it)`,
        );
        continue;
      }
      current[alias] = entry;
      added.push(alias);
      lines.push(`added ${alias}: ${summary(entry)}${entry.disabled === true ? " (disabled)" : ""}`);
      if (VS_CODE_INPUT.test(JSON.stringify(entry))) {
        lines.push(
          `  ${alias} uses VS Code's \${input:…}, which kavilo cannot ask for: replace it with the value or a \${VAR} (kavilo config set tools.mcpServers.${alias}…)`,
        );
      }
    }
    tools.mcpServers = current;
    next.tools = tools;
  });
  for (const l of lines) out(l);
  out(
    added.length > 0
      ? `${added.length} server${added.length === 1 ? "" : "s"} added to tools.mcpServers in ${target}; check them with kavilo status`
      : `nothing added to ${target}`,
  );
  return 0;
}
