import { join } from "node:path";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import { acquirePidLock, LockHeldError } from "../../core/base/file-lock.js";
import { createLogger } from "../../core/base/logger.js";
import { profileSecretValues } from "../../core/config/secret-paths.js";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";
import { SHUTDOWN_MARGIN_S } from "../service/shutdown-margin.js";

function waitForSignal(): { signalled: Promise<NodeJS.Signals>; dispose(): void } {
  let on: (sig: NodeJS.Signals) => void = () => {};
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    on = (sig) => {
      dispose();
      resolve(sig);
    };
    process.on("SIGINT", on);
    process.on("SIGTERM", on);
  });
  function dispose() {
    process.off("SIGINT", on);
    process.off("SIGTERM", on);
  }
  return { signalled, dispose };
}

/** `kavilo start`: channels, cron and heartbeat until SIGINT/SIGTERM. One instance per profile. */
export default async function start(ctx: CliContext): Promise<number> {
  const { config, paths } = ctx.config();
  let release: () => Promise<void>;
  try {
    release = await acquirePidLock(paths.lock);
  } catch (err) {
    if (err instanceof LockHeldError) {
      // Unverified: the pid is alive, but kavilo could not tell whether it is the kavilo that took
      // the lock (a reused pid); the user can.
      const unsure = err.verified ? "" : `; if pid ${err.holder.pid} is not kavilo, delete ${err.path}`;
      throw new CliError(
        `kavilo start is already running for this profile (pid ${err.holder.pid}); stop it first${unsure}`,
        2,
      );
    }
    throw err;
  }
  const log = createLogger({
    file: join(paths.logs, "kavilo.log"),
    debug: ctx.debug,
    // The one list of secret paths, and secret-named env variables: what agent -m and the self server mask.
    secrets: profileSecretValues(config, ctx.env),
  });
  const { signalled, dispose } = waitForSignal();
  try {
    const { startRuntime } = await import("../compose/runtime.js");
    log.info(`kavilo start: pid ${process.pid}, home ${paths.home}`);
    let runtime: Awaited<ReturnType<typeof startRuntime>>;
    try {
      runtime = await startRuntime(ctx, log);
    } catch (err) {
      // Whatever did start (channel connections, timers) must not keep a half-started process alive.
      dispose();
      setTimeout(() => process.exit(process.exitCode || 1), 500);
      throw err;
    }
    releaseStartupGarbage();
    const sig = await signalled;
    const deadlineS = config.runtime.shutdownDeadlineS;
    log.info(`${sig}: stopping; running turns get ${deadlineS} s to finish`);
    // A second signal means "now".
    const force = () => {
      log.warn("second signal: exiting without waiting");
      log.close();
      process.exit(1);
    };
    process.once("SIGINT", force);
    process.once("SIGTERM", force);
    const hardStopS = deadlineS + SHUTDOWN_MARGIN_S;
    const hardStop = setTimeout(() => {
      log.warn(`still stopping ${hardStopS} s after ${sig} (a send or a channel hangs); exiting anyway`);
      const grace = new Promise((resolve) => setTimeout(resolve, 500));
      void Promise.race([release(), grace]).finally(() => {
        log.close();
        process.exit(0);
      });
    }, hardStopS * 1000);
    const { aborted, dropped } = await runtime.stop(deadlineS * 1000);
    const { received, answered, failed } = runtime.bus.stats;
    log.info(
      `stopped: ${received} messages received, ${answered} answered, ${failed} failed` +
        (aborted || dropped ? `; ${aborted} turns aborted, ${dropped} queued messages dropped` : ""),
    );
    clearTimeout(hardStop);
  } finally {
    await release();
    log.close();
  }
  // SDK sockets (keep-alive pools) can outlive stop(); do not let them hold the process open.
  setTimeout(() => process.exit(process.exitCode ?? 0), 500).unref();
  return 0;
}

/**
 * Start-up allocates a lot that is garbage once the channels are connected (module compilation,
 * config parsing). A long-running process would otherwise sit on that heap until the next
 * collection; one full collection after boot returns it, which keeps the idle footprint small.
 */
function releaseStartupGarbage(): void {
  setTimeout(() => {
    try {
      v8.setFlagsFromString("--expose-gc");
      const gc = runInNewContext("gc") as (() => void) | undefined;
      gc?.();
    } catch {
      // not available on this runtime: only the footprint differs
    }
  }, 2000).unref();
}
