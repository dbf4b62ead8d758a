import { matchModelToSpec, PROVIDER_SPECS } from "../../providers/specs.js";
import type { Config } from "./schema.js";

export interface OverlayResult {
  config: Config;
  /** Which env variables were applied, e.g. ["KAVILO_MODEL", "OPENAI_API_KEY"]. */
  applied: string[];
}

/** The provider an env-level KAVILO_API_KEY / KAVILO_API_BASE applies to. */
function overlayTarget(config: Config, env: NodeJS.ProcessEnv): string {
  const explicit = config.agents.defaults.provider;
  if (explicit && explicit !== "auto") return explicit;
  const match = matchModelToSpec(config.agents.defaults.model);
  if (match) return match.spec.name;
  return env.KAVILO_API_BASE ? "custom" : "openai";
}

/**
 * Applies the process environment over a loaded config, in one place. Env wins over the file.
 * Returns a new object; the input is not modified.
 */
export function applyEnvOverlays(base: Config, env: NodeJS.ProcessEnv): OverlayResult {
  const config = structuredClone(base);
  const applied: string[] = [];
  const set = (name: string, apply: (v: string) => void) => {
    const value = env[name]?.trim();
    if (value) {
      apply(value);
      applied.push(name);
    }
  };
  const provider = (name: string) => {
    config.providers[name] ??= {};
    return config.providers[name];
  };

  set("KAVILO_MODEL", (v) => {
    config.agents.defaults.model = v;
  });
  set("KAVILO_PROVIDER", (v) => {
    config.agents.defaults.provider = v;
  });
  set("KAVILO_WORKSPACE", (v) => {
    config.agents.defaults.workspace = v;
  });
  for (const spec of PROVIDER_SPECS) {
    if (spec.envKey) set(spec.envKey, (v) => (provider(spec.name).apiKey = v));
  }
  // The vendors' own SDK variables, as other tools set them; KAVILO_API_BASE below wins over them.
  set("OPENAI_BASE_URL", (v) => (provider("openai").apiBase = v));
  set("ANTHROPIC_BASE_URL", (v) => (provider("anthropic").apiBase = v));
  if (env.KAVILO_API_KEY?.trim() || env.KAVILO_API_BASE?.trim()) {
    const target = overlayTarget(config, env);
    set("KAVILO_API_KEY", (v) => (provider(target).apiKey = v));
    set("KAVILO_API_BASE", (v) => (provider(target).apiBase = v));
    if (config.agents.defaults.provider === "auto" && env.KAVILO_API_BASE?.trim()) {
      config.agents.defaults.provider = target;
    }
  }
  set("BRAVE_API_KEY", (v) => {
    config.tools.web.search.apiKey = v;
  });
  return { config, applied };
}
