import type { Config, ProviderConfig } from "../core/config/schema.js";
import { findSpec, PROVIDER_SPECS, type ProviderSpec } from "./specs.js";

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
}

export class NoProviderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NoProviderError";
  }
}

export const NO_PROVIDER_HINT =
  "no model provider is configured: set a key such as ANTHROPIC_API_KEY or OPENAI_API_KEY " +
  "(or run kavilo onboard), or start a local model with `ollama serve`";

export interface ResolveInput {
  config: Config;
  /** Answers whether a local Ollama is up, and with which models. Only called as a last resort. */
  probeOllama?: () => Promise<{ baseUrl: string; models: string[] } | undefined>;
}

function usable(spec: ProviderSpec, pc: ProviderConfig | undefined): boolean {
  if (spec.wire === "openai-codex") return true;
  if (pc?.apiKey) return true;
  if (spec.local && pc !== undefined) return true;
  return spec.name === "custom" && Boolean(pc?.apiBase);
}

function build(
  spec: ProviderSpec,
  config: Config,
  model: string | undefined,
  reason: string,
): ResolvedProvider {
  const pc = config.providers[spec.name];
  let wireModel = model ?? spec.defaultModel;
  if (wireModel?.startsWith(`${spec.name}/`)) wireModel = wireModel.slice(spec.name.length + 1);
  if (!wireModel) {
    throw new NoProviderError(
      `provider ${spec.name} has no default model: set agents.defaults.model or KAVILO_MODEL`,
    );
  }
  return {
    name: spec.name,
    spec,
    model: wireModel,
    apiKey: pc?.apiKey,
    apiBase: pc?.apiBase ?? spec.defaultApiBase,
    extraHeaders: pc?.extraHeaders ?? {},
    reason,
  };
}

/** The provider that auto-resolution would pick without touching the network. */
export function resolveProviderOffline(config: Config): ResolvedProvider | undefined {
  const d = config.agents.defaults;
  const model = d.model;
  if (d.provider && d.provider !== "auto") {
    const spec = findSpec(d.provider);
    if (!spec) {
      throw new NoProviderError(
        `unknown provider "${d.provider}" in agents.defaults.provider; known: ${PROVIDER_SPECS.map((s) => s.name).join(", ")}`,
      );
    }
    return build(spec, config, model, "set by agents.defaults.provider");
  }
  if (model) {
    const slash = model.indexOf("/");
    const prefix = slash > 0 ? model.slice(0, slash) : undefined;
    const prefixed = prefix ? findSpec(prefix) : undefined;
    if (prefixed && usable(prefixed, config.providers[prefixed.name])) {
      return build(prefixed, config, model, `model prefix "${prefix}/"`);
    }
    const lower = model.toLowerCase();
    const byKeyword = PROVIDER_SPECS.find(
      (s) => s.keywords.some((k) => lower.includes(k)) && usable(s, config.providers[s.name]),
    );
    if (byKeyword) return build(byKeyword, config, model, `model name matches "${byKeyword.name}"`);
  }
  const withKey = PROVIDER_SPECS.find(
    (s) => s.wire !== "openai-codex" && usable(s, config.providers[s.name]),
  );
  if (withKey) {
    // A model meant for another vendor goes to a gateway whole; to a direct provider it would fail.
    const keepModel =
      model && (withKey.gateway || !model.includes("/") || model.startsWith(`${withKey.name}/`));
    const reason =
      model && !keepModel
        ? `first provider with a key (model ${model} does not fit it; using its default)`
        : "first provider with a key";
    return build(withKey, config, keepModel ? model : undefined, reason);
  }
  return undefined;
}

/**
 * Resolves `provider: "auto"`: explicit name/model prefix → model keywords → first provider with a
 * key → a local Ollama that answers. Throws NoProviderError with a one-line hint otherwise.
 */
export async function resolveProvider(input: ResolveInput): Promise<ResolvedProvider> {
  const offline = resolveProviderOffline(input.config);
  if (offline) {
    if (
      !offline.apiKey &&
      !offline.spec.local &&
      offline.spec.wire === "openai-chat" &&
      offline.name !== "custom"
    ) {
      throw new NoProviderError(
        `no API key for ${offline.name}: set ${offline.spec.envKey ?? "KAVILO_API_KEY"} or providers.${offline.name}.apiKey`,
      );
    }
    if (!offline.apiKey && offline.spec.wire === "anthropic") {
      throw new NoProviderError(
        `no API key for anthropic: set ANTHROPIC_API_KEY or providers.anthropic.apiKey (or run kavilo auth claude login)`,
      );
    }
    return offline;
  }
  const ollama = await input.probeOllama?.();
  if (ollama) {
    const { models } = ollama;
    const spec = findSpec("ollama")!;
    const wanted = input.config.agents.defaults.model;
    const model = wanted && models.includes(wanted) ? wanted : models[0];
    if (!model) {
      throw new NoProviderError("Ollama is running but has no models: run `ollama pull llama3.2`");
    }
    const resolved = build(spec, input.config, model, `a local Ollama answered at ${ollama.baseUrl}`);
    return { ...resolved, apiBase: `${ollama.baseUrl}/v1` };
  }
  throw new NoProviderError(NO_PROVIDER_HINT);
}
