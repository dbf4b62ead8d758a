import type { Config, ProviderConfig } from "../core/base/config-types.js";
import { findSpec, matchModelToSpec, PROVIDER_SPECS, type ProviderSpec } from "./specs.js";

export interface ResolvedProvider {
  name: string;
  spec: ProviderSpec;
  /** Model name as sent on the wire (provider prefix removed when it names this provider). */
  model: string;
  apiKey: string | undefined;
  apiBase: string | undefined;
  extraHeaders: Record<string, string>;
  /** Why this provider was chosen, for `kavilo status`. */
  reason: string;
  /** Where the key came from (an env variable or a config path), so an auth hint names the right one. */
  keySource?: string | undefined;
}

export class NoProviderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NoProviderError";
  }
}

/** A provider that needs a model name and has none; `available` lists what a local server offers. */
export class NoModelError extends NoProviderError {
  constructor(
    readonly provider: string,
    available: string[] = [],
  ) {
    const has = available.length > 0 ? ` (${provider} has: ${available.join(", ")})` : "";
    super(
      `provider ${provider} has no default model; set a model: kavilo config set agents.defaults.model <name> or KAVILO_MODEL=<name>${has}`,
    );
    this.name = "NoModelError";
  }
}

export const NO_PROVIDER_HINT =
  "no model provider is configured: set a key such as ANTHROPIC_API_KEY or OPENAI_API_KEY " +
  "(or run kavilo onboard), or start a local model with `ollama serve`";

export interface ResolveInput {
  config: Config;
  /** The environment the config's overlays came from: lets errors and hints name the env variable. */
  env?: NodeJS.ProcessEnv;
  /**
   * Answers whether a local Ollama is up (at `baseUrl`, else its usual address), and with which
   * models. Called as a last resort, and to name the models when the ollama provider has none set.
   */
  probeOllama?: (baseUrl?: string) => Promise<{ baseUrl: string; models: string[] } | undefined>;
  /**
   * Providers with a subscription login (a Claude OAuth token): usable without an API key. The
   * composition root decides; the adapter gets that login's credentials getter.
   */
  loggedIn?: ReadonlySet<string>;
}

function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * Whether a request to this provider needs a key. A local server does not; neither does a base URL
 * off the vendor's own host (a keyless proxy or self-hosted server), where the adapter then sends
 * no credential at all. The vendor's official host without a key is a clear error instead.
 */
export function needsKey(r: Pick<ResolvedProvider, "name" | "spec" | "apiBase">): boolean {
  if (r.spec.local || r.spec.wire === "openai-codex" || r.name === "custom") return false;
  const official = hostOf(r.spec.defaultApiBase);
  if (!official) return true;
  return hostOf(r.apiBase) === official;
}

/** What an auth failure should tell the user to check. */
export function keyHint(r: Pick<ResolvedProvider, "name" | "spec" | "keySource">): string {
  if (r.keySource === "KAVILO_API_KEY") return "KAVILO_API_KEY";
  return `${r.spec.envKey ?? "KAVILO_API_KEY"} / providers.${r.name}.apiKey`;
}

function keySourceOf(
  spec: ProviderSpec,
  apiKey: string | undefined,
  env: NodeJS.ProcessEnv | undefined,
): string | undefined {
  if (!apiKey) return undefined;
  if (env?.KAVILO_API_KEY?.trim() === apiKey) return "KAVILO_API_KEY";
  if (spec.envKey && env?.[spec.envKey]?.trim() === apiKey) return spec.envKey;
  return `providers.${spec.name}.apiKey`;
}

function usable(spec: ProviderSpec, pc: ProviderConfig | undefined, loggedIn?: ReadonlySet<string>): boolean {
  if (spec.wire === "openai-codex" || loggedIn?.has(spec.name)) return true;
  if (pc?.apiKey) return true;
  if (spec.local && pc !== undefined) return true;
  return spec.name === "custom" && Boolean(pc?.apiBase);
}

function build(
  spec: ProviderSpec,
  config: Config,
  model: string | undefined,
  reason: string,
  env: NodeJS.ProcessEnv | undefined,
): ResolvedProvider {
  const pc = config.providers[spec.name];
  let wireModel = model ?? spec.defaultModel;
  if (wireModel?.startsWith(`${spec.name}/`)) wireModel = wireModel.slice(spec.name.length + 1);
  if (!wireModel) throw new NoModelError(spec.name);
  return {
    name: spec.name,
    spec,
    model: wireModel,
    apiKey: pc?.apiKey,
    apiBase: pc?.apiBase ?? spec.defaultApiBase,
    extraHeaders: pc?.extraHeaders ?? {},
    reason,
    keySource: keySourceOf(spec, pc?.apiKey, env),
  };
}

/**
 * A bare model name whose keywords name a keyed vendor (claude-... → anthropic), reached only when
 * that vendor has no key. A vendor/ prefix is left alone: gateways route those whole.
 */
function unkeyedVendorModel(model: string | undefined): NoProviderError | undefined {
  if (!model || model.includes("/")) return undefined;
  const vendor = matchModelToSpec(model, (s) => Boolean(s.envKey) && !s.local)?.spec;
  if (!vendor) return undefined;
  const article = /^[aeiou]/i.test(vendor.name) ? "an" : "a";
  return new NoProviderError(
    `model "${model}" is ${article} ${vendor.name} model, but no ${vendor.label} key is set ` +
      `(${vendor.envKey} or providers.${vendor.name}.apiKey); to use another provider, set agents.defaults.provider`,
  );
}

/** The provider that auto-resolution would pick without touching the network. */
export function resolveProviderOffline(
  config: Config,
  env?: NodeJS.ProcessEnv,
  loggedIn?: ReadonlySet<string>,
): ResolvedProvider | undefined {
  const d = config.agents.defaults;
  const model = d.model;
  if (d.provider && d.provider !== "auto") {
    const origin =
      env?.KAVILO_PROVIDER?.trim() === d.provider ? "KAVILO_PROVIDER" : "agents.defaults.provider";
    const spec = findSpec(d.provider);
    if (!spec) {
      throw new NoProviderError(
        `unknown provider "${d.provider}" in ${origin}; known: ${PROVIDER_SPECS.map((s) => s.name).join(", ")}`,
      );
    }
    return build(spec, config, model, `set by ${origin}`, env);
  }
  const match = matchModelToSpec(model, (s) => usable(s, config.providers[s.name], loggedIn));
  if (model && match) {
    const reason =
      match.by === "prefix" ? `model prefix "${match.prefix}/"` : `model name matches "${match.spec.name}"`;
    return build(match.spec, config, model, reason, env);
  }
  const withKey = PROVIDER_SPECS.find(
    (s) => s.wire !== "openai-codex" && usable(s, config.providers[s.name], loggedIn),
  );
  if (withKey) {
    // Sending a vendor's bare model name to whichever provider has a key would only fail there.
    const mismatch = unkeyedVendorModel(model);
    if (mismatch) throw mismatch;
    // A model meant for another vendor goes to a gateway whole; to a direct provider it would fail.
    const keepModel =
      model && (withKey.gateway || !model.includes("/") || model.startsWith(`${withKey.name}/`));
    const reason =
      model && !keepModel
        ? `first provider with a key (model ${model} does not fit it; using its default)`
        : "first provider with a key";
    return build(withKey, config, keepModel ? model : undefined, reason, env);
  }
  return undefined;
}

/**
 * Resolves `provider: "auto"`: explicit name/model prefix → model keywords → first provider with a
 * key → a local Ollama that answers. Throws NoProviderError with a one-line hint otherwise.
 */
export async function resolveProvider(input: ResolveInput): Promise<ResolvedProvider> {
  const { config, env } = input;
  let offline: ResolvedProvider | undefined;
  try {
    offline = resolveProviderOffline(config, env, input.loggedIn);
  } catch (err) {
    if (err instanceof NoModelError && err.provider === "ollama") throw await ollamaNoModel(input);
    throw err;
  }
  if (offline) {
    if (!offline.apiKey && needsKey(offline) && !input.loggedIn?.has(offline.name)) {
      const login = offline.spec.wire === "anthropic" ? " (or run kavilo auth claude login)" : "";
      throw new NoProviderError(
        `no API key for ${offline.name}: set ${offline.spec.envKey ?? "KAVILO_API_KEY"} or providers.${offline.name}.apiKey${login}`,
      );
    }
    return offline;
  }
  const wanted = config.agents.defaults.model;
  const ollama = await input.probeOllama?.();
  if (ollama) {
    const { models } = ollama;
    const spec = findSpec("ollama")!;
    if (!(wanted && models.includes(wanted))) {
      const mismatch = unkeyedVendorModel(wanted);
      if (mismatch) throw mismatch;
    }
    const model = wanted && models.includes(wanted) ? wanted : models[0];
    if (!model) {
      throw new NoProviderError("Ollama is running but has no models: run `ollama pull llama3.2`");
    }
    const resolved = build(spec, config, model, `a local Ollama answered at ${ollama.baseUrl}`, env);
    return { ...resolved, apiBase: `${ollama.baseUrl}/v1` };
  }
  throw unkeyedVendorModel(wanted) ?? new NoProviderError(NO_PROVIDER_HINT);
}

/** The ollama provider with no model: name what the configured server has, when it answers. */
async function ollamaNoModel(input: ResolveInput): Promise<NoModelError> {
  const base = input.config.providers.ollama?.apiBase?.replace(/\/v1\/?$/, "");
  const found = await input.probeOllama?.(base);
  return new NoModelError("ollama", found?.models ?? []);
}
