import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { parseFastArgv } from "../../src/cli/fast-argv.js";
import { buildProgram } from "../../src/cli/main.js";

/** What commander makes of `args`: the command's options and the global flags, or its error code. */
async function commanderParse(args: string[]) {
  const program = buildProgram(async () => {
    throw new Error("no action should run");
  });
  program.configureOutput({ writeErr: () => {}, writeOut: () => {} });
  let seen: { command: string; options: unknown; positional?: unknown; flags: unknown } | undefined;
  const capture =
    (command: string) =>
    (...params: unknown[]) => {
      const cmd = params.at(-1) as Command;
      const { profile, instance } = cmd.optsWithGlobals<{ profile?: string; instance?: string }>();
      seen = {
        command,
        options: params.at(-2),
        ...(params.length > 2 ? { positional: params[0] } : {}),
        flags: {
          ...(profile !== undefined ? { profile } : {}),
          ...(instance !== undefined ? { instance } : {}),
        },
      };
    };
  const sub = (parent: Command, name: string) => parent.commands.find((c) => c.name() === name)!;
  for (const c of [program, sub(program, "agent"), sub(program, "mcp"), sub(sub(program, "mcp"), "serve")]) {
    c.exitOverride();
  }
  sub(program, "agent").action(capture("agent"));
  sub(sub(program, "mcp"), "serve").action(capture("mcp serve"));
  try {
    await program.parseAsync(args, { from: "user" });
  } catch (err) {
    return { error: (err as { code?: string }).code ?? String(err) };
  }
  return seen;
}

/** The fast parser's answer in the same shape. */
function fastParse(args: string[]) {
  const got = parseFastArgv(args);
  if (!got) return undefined;
  if (got.command === "agent") return { command: "agent", options: got.options, flags: got.flags };
  return { command: "mcp serve", options: got.options, positional: got.server, flags: got.flags };
}

// Every shape the fast path takes, and shapes near them it must leave to commander.
const CORPUS: string[][] = [
  ["agent", "-m", "hi"],
  ["agent", "-m", "hi", "-q"],
  ["agent", "--message", "hi", "--json"],
  ["agent", "--message=hi there", "--quiet"],
  ["agent", "-m", "-"],
  ["agent", "-m", "-q"],
  ["agent", "-m", "--debug"],
  ["agent", "-m", "a", "-m", "b"],
  ["agent", "-s", "k", "-m", "x", "--new", "--model", "m1", "--model", "m2"],
  ["agent", "--session=k", "-m", "x", "-y", "--yes", "-c", "-r", "r1"],
  ["agent", "--continue", "--resume", "r", "-m", "x"],
  ["agent", "-m", "x", "--file", "a.png", "--file", "b.txt"],
  ["agent", "-m", "x", "--file=a.png"],
  ["-p", "work", "agent", "-m", "x"],
  ["--profile", "work", "agent", "-m", "x"],
  ["-i", "inst", "agent", "-m", "x"],
  ["--instance", "inst", "--debug", "agent", "-m", "x"],
  ["agent", "-m", "x", "-p", "work"],
  ["agent", "-m", "x", "--profile=w", "--instance", "i"],
  ["--debug", "agent", "-m", "x", "-s", "k"],
  // left to commander (help, attached or combined short flags, errors, no -m)
  ["agent", "-mhi"],
  ["agent", "-qm", "x"],
  ["agent"],
  ["agent", "-q"],
  ["agent", "-m"],
  ["agent", "-m", "x", "extra"],
  ["agent", "-m", "x", "--", "-q"],
  ["agent", "-m", "x", "-h"],
  ["agent", "-m", "x", "--help"],
  ["agent", "-m", "x", "--unknown"],
  ["agent", "-m", "x", "--no-new"],
  ["agent", "-m", "x", "--json=1"],
  ["agent", "-m", "x", "-r"],
  ["-pwork", "agent", "-m", "x"],
  ["--profile=w", "agent", "-m", "x"],
  ["-V", "agent", "-m", "x"],
  ["-p"],
  ["sessions", "list"],
  ["mcp", "serve", "self"],
  ["mcp", "serve", "slack", "--alias", "work"],
  ["mcp", "serve", "--alias=work", "slack"],
  ["-p", "work", "mcp", "serve", "self", "--debug"],
  ["mcp", "serve"],
  ["mcp", "serve", "self", "slack"],
  ["mcp", "serve", "self", "--alias"],
  ["mcp", "serve", "self", "-h"],
  ["mcp", "login", "--server", "x"],
  ["mcp", "-p", "w", "serve", "self"],
];

describe("the fast path's argument parser", () => {
  it("gives exactly what commander gives for every shape it takes, and leaves the rest to commander", async () => {
    let compared = 0;
    for (const args of CORPUS) {
      const fast = fastParse(args);
      if (fast === undefined) continue;
      expect(fast, args.join(" ")).toEqual(await commanderParse(args));
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(20);
  });

  it("takes the common one-shot and MCP server shapes (the ones whose start-up matters)", () => {
    for (const args of [
      ["agent", "-m", "hi"],
      ["agent", "-m", "hi", "-q", "--json"],
      ["-p", "work", "agent", "--message", "hi", "-s", "k"],
      ["agent", "-m", "-", "--file", "a.png"],
      ["mcp", "serve", "self"],
      ["-p", "work", "mcp", "serve", "slack", "--alias", "team"],
    ]) {
      expect(parseFastArgv(args), args.join(" ")).toBeDefined();
    }
  });

  it("leaves help, unknown options, extra or missing arguments and the TUI to commander", () => {
    for (const args of [
      ["agent"],
      ["agent", "-m", "x", "--help"],
      ["agent", "-m", "x", "--unknown"],
      ["agent", "-m", "x", "extra"],
      ["agent", "-m"],
      ["agent", "-mhi"],
      ["mcp", "serve"],
      ["mcp", "serve", "self", "extra"],
      ["sessions", "list"],
    ]) {
      expect(parseFastArgv(args), args.join(" ")).toBeUndefined();
    }
  });
});
