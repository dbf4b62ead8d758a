import { homedir } from "node:os";
import { resolve } from "node:path";
import { makePaths, type Paths } from "../core/base/paths.js";
import { kaviloBuildId } from "../core/config/build-id.js";
import { type ConfigCacheOptions, currentConfig, snapshotConfig } from "../core/config/cached-load.js";
import { type LoadedConfig, workspaceOf } from "../core/config/load.js";
import { applyEnvOverlays } from "../core/config/overlay.js";
import type { Config } from "../core/config/schema.js";
import type { ResolvedHome } from "../core/home.js";

export interface ResolvedConfig {
  /** The file's config with env overlays applied. */
  config: Config;
  loaded: LoadedConfig;
  /** Env variables that were applied over the file. */
  applied: string[];
  paths: Paths;
}

/** What every subcommand receives: the home resolved once at start, and a lazy config. */
export interface CliContext {
  home: ResolvedHome;
  /** Paths with the default workspace; `config().paths` has the configured one. */
  basePaths: Paths;
  env: NodeJS.ProcessEnv;
  debug: boolean;
  /** Loads config.json and applies env overlays, once. Throws ConfigError. */
  config(): ResolvedConfig;
  warn(message: string): void;
  /**
   * The command shows config.json's warnings in its own output (doctor, status): they are not
   * repeated on stderr. Call before the first `config()`.
   */
  muteConfigWarnings?(): void;
}

export interface ContextOptions {
  /** The validated-config cache's build id; the build's own by default (none from source). */
  buildId?: string;
}

/**
 * Builds the context. config.json is read and validated here, before the command runs (from the
 * validated-config cache when it can be, without loading zod); a broken file is reported only by
 * `config()`, so a command that never calls it (`config set` repairing the file) still runs.
 */
export async function createContext(
  home: ResolvedHome,
  env: NodeJS.ProcessEnv,
  debug: boolean,
  options: ContextOptions = {},
): Promise<CliContext> {
  const basePaths = makePaths(home.home);
  const cache: ConfigCacheOptions = {
    file: basePaths.configCache,
    // No cache folder in a profile home that is the user's own home (KAVILO_HOME=~): ~/cache is theirs.
    buildId: resolve(home.home) === resolve(homedir()) ? undefined : (options.buildId ?? kaviloBuildId()),
    debug: (line) => debug && process.stderr.write(`kavilo: ${line}\n`),
  };
  const snapshot = await snapshotConfig(basePaths.config, cache);
  let cached: ResolvedConfig | undefined;
  const warned = new Set<string>();
  let configWarnings = true;
  const ctx: CliContext = {
    home,
    basePaths,
    env,
    debug,
    warn(message) {
      if (warned.has(message)) return;
      warned.add(message);
      process.stderr.write(`kavilo: warning: ${message}\n`);
    },
    muteConfigWarnings() {
      configWarnings = false;
    },
    config() {
      if (cached) return cached;
      const loaded = currentConfig(basePaths.config, snapshot, cache);
      if (configWarnings) for (const w of loaded.warnings) ctx.warn(w);
      const { config, applied } = applyEnvOverlays(loaded.config, env);
      cached = { config, loaded, applied, paths: makePaths(home.home, workspaceOf(config, home.home)) };
      return cached;
    },
  };
  return ctx;
}
