import type { CliContext } from "./context.js";
import { CliError } from "./errors.js";

// What running one command takes besides parsing its arguments: the context (home, profile, proxy)
// and the one-line error report. Shared by the commander program (main.ts) and the fast path
// (fast.ts), which must behave the same; nothing here imports commander.

/** Each command module's default export takes the context, then its positionals and options. */
export type Runner = (ctx: CliContext, ...args: never[]) => Promise<number | undefined>;
type LooseRunner = (ctx: CliContext, ...args: unknown[]) => Promise<number | undefined>;

/** The global options as parsed (`-pwork`, `-p work`, `--profile=work`, ...). */
export interface GlobalFlags {
  profile?: string | undefined;
  instance?: string | undefined;
}

/** The profile the flags name: -p/--profile, else its alias -i/--instance. */
export function flagProfile(flags: GlobalFlags): string | undefined {
  return flags.profile ?? flags.instance;
}

/**
 * A reader that went away (`kavilo sessions show x | head`) ends the output quietly: Node turns the
 * SIGPIPE into an EPIPE error on stdout, which would otherwise crash the command with a stack trace.
 * Commands that must stop their work too (`agent -m`) add a listener of their own.
 */
export function quietOnClosedStdout(): void {
  const onError = (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") return;
    // Another error (a gone terminal's EIO) is for the command's own listener (the TUI's hangup);
    // with none, it fails the command as it did before this one was added.
    if (process.stdout.listeners("error").some((l) => l !== onError)) return;
    throw err;
  };
  process.stdout.on("error", onError);
}

/** Whether the arguments ask for stack traces and detail. */
export function debugRequested(args: readonly string[]): boolean {
  return args.includes("--debug");
}

/** What building the context takes; the program imports it lazily, the fast path statically. */
export interface ContextDeps {
  installEnvProxy: typeof import("../core/base/env-proxy.js").installEnvProxy;
  resolveHome: typeof import("../core/home.js").resolveHome;
  createContext: typeof import("./context.js").createContext;
}

/** The context's modules, imported when the first command runs (the program's `--help` loads none). */
async function importContextDeps(): Promise<ContextDeps> {
  const [{ installEnvProxy }, { resolveHome }, { createContext }] = await Promise.all([
    import("../core/base/env-proxy.js"),
    import("../core/home.js"),
    import("./context.js"),
  ]);
  return { installEnvProxy, resolveHome, createContext };
}

/**
 * The context factory of one run: the home is resolved once, from the global options, when the
 * first command runs (the proxy is installed before any command sends a request).
 */
export function contextLoader(
  debug: boolean,
  deps: () => Promise<ContextDeps> = importContextDeps,
): (flags: GlobalFlags) => Promise<CliContext> {
  let ctxPromise: Promise<CliContext> | undefined;
  return (flags) => {
    ctxPromise ??= (async () => {
      const { installEnvProxy, resolveHome, createContext } = await deps();
      // HTTPS_PROXY / HTTP_PROXY / NO_PROXY: before any command sends a request.
      await installEnvProxy(process.env);
      const home = resolveHome({ env: process.env, flagProfile: flagProfile(flags) });
      process.env.KAVILO_HOME = home.home;
      const ctx = await createContext(home, process.env, debug);
      for (const w of home.warnings) ctx.warn(w);
      return ctx;
    })();
    return ctxPromise;
  };
}

/** Runs a command module with its arguments; a non-zero code it returns becomes the exit code. */
export async function runCommand(
  ctx: CliContext,
  load: () => Promise<{ default: Runner }>,
  args: readonly unknown[],
): Promise<void> {
  const mod = await load();
  const code = await (mod.default as LooseRunner)(ctx, ...args);
  if (typeof code === "number" && code !== 0) process.exitCode = code;
}

/** One line on stderr for a failed command (its stack with --debug) and the exit code it means. */
export async function reportError(err: unknown, debug: boolean): Promise<void> {
  const { describeError } = await import("./report-error.js");
  const { message, exitCode } = describeError(err);
  process.stderr.write(`kavilo: ${message}\n`);
  if (debug && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  else if (exitCode !== 2 && !(err instanceof CliError))
    process.stderr.write("(run with --debug for details)\n");
  process.exitCode = exitCode;
}
