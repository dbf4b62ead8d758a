import { parseFastArgv } from "./fast-argv.js";
import { debugRequested, quietOnClosedStdout, reportError } from "./invoke.js";

/**
 * bin/kavilo.js's fast path: runs `agent -m ...` and `mcp serve <server>` without loading
 * commander or building the program (about a fifth of the one-shot's own start-up), with the same
 * context, command modules and error report as main(). Returns false when `argv` is anything else
 * (or anything unusual about these two), for main() to handle.
 */
export async function fastMain(argv: readonly string[] = process.argv): Promise<boolean> {
  const args = argv.slice(2);
  const invocation = parseFastArgv(args);
  if (!invocation) return false;
  const debug = debugRequested(args);
  quietOnClosedStdout();
  try {
    // One module per command, each importing its command and the context statically.
    if (invocation.command === "agent") await (await import("./fast-agent.js")).default(invocation, debug);
    else await (await import("./fast-serve.js")).default(invocation, debug);
  } catch (err) {
    await reportError(err, debug);
  }
  return true;
}
