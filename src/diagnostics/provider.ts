import { claudeLoginProviders } from "../auth/claude/credentials.js";
import { probeOllama } from "../providers/ollama-probe.js";
import { NoProviderError, type ResolvedProvider, resolveProvider } from "../providers/resolve.js";
import { PROVIDER_SPECS } from "../providers/specs.js";
import type { Check, DiagnosticsContext, Probe } from "./types.js";

export type ProviderLine =
  | { name: string; model: string; apiBase: string | null; reason: string }
  | { error: string };

const resolutions = new WeakMap<DiagnosticsContext, Promise<ResolvedProvider | NoProviderError>>();

/**
 * Resolves the provider as an agent run would (a Claude login stands in for an anthropic key), once
 * per context: the status report's row and the provider checks share one resolution (and one probe
 * of a local Ollama).
 */
function resolveFor(ctx: DiagnosticsContext): Promise<ResolvedProvider | NoProviderError> {
  let pending = resolutions.get(ctx);
  if (!pending) {
    const { config, paths } = ctx.config();
    pending = resolveProvider({
      config,
      env: ctx.env,
      probeOllama: (at) => probeOllama(ctx.env, undefined, at),
      loggedIn: claudeLoginProviders(config.agents.defaults.model, paths, ctx.env),
    }).catch((err: unknown) => {
      if (err instanceof NoProviderError) return err;
      throw err;
    });
    resolutions.set(ctx, pending);
  }
  return pending;
}

/** The provider was named by the environment, not the file: say which variable (KAVILO_API_BASE picks one). */
function reasonOf(r: ResolvedProvider, ctx: DiagnosticsContext): string {
  const { loaded, config, applied } = ctx.config();
  if (r.reason !== "set by agents.defaults.provider") return r.reason;
  if (loaded.config.agents.defaults.provider === config.agents.defaults.provider) return r.reason;
  return `set by ${applied.includes("KAVILO_PROVIDER") ? "KAVILO_PROVIDER" : "KAVILO_API_BASE"}`;
}

export interface KeySource {
  provider: string;
  env: string | null;
  inEnv: boolean;
  inConfig: boolean;
}

/** Where each provider's key comes from (never the key): its env variable, KAVILO_API_KEY, or the file. */
export function keysCheck(ctx: DiagnosticsContext): Check {
  const { config, loaded, applied } = ctx.config();
  const fileProviders = (loaded.raw.providers ?? {}) as Record<string, { apiKey?: unknown }>;
  const keys: KeySource[] = PROVIDER_SPECS.flatMap((s) => {
    const ownEnv = Boolean(s.envKey && ctx.env[s.envKey]);
    const kaviloKey =
      !ownEnv &&
      applied.includes("KAVILO_API_KEY") &&
      config.providers[s.name]?.apiKey === ctx.env.KAVILO_API_KEY?.trim();
    const inConfig = Boolean(fileProviders[s.name]?.apiKey);
    if (!ownEnv && !kaviloKey && !inConfig) return [];
    const env = ownEnv ? (s.envKey ?? null) : kaviloKey ? "KAVILO_API_KEY" : (s.envKey ?? null);
    return [{ provider: s.name, env, inEnv: ownEnv || kaviloKey, inConfig }];
  });
  const where = (k: KeySource) =>
    `${k.provider} (${[k.inEnv ? k.env : "", k.inConfig ? "config" : ""].filter(Boolean).join(", ")})`;
  return keys.length
    ? {
        id: "provider.keys",
        area: "provider",
        status: "ok",
        summary: `API keys: ${keys.map(where).join(", ")}`,
        data: { keys },
      }
    : { id: "provider.keys", area: "provider", status: "skip", summary: "no API key set", data: { keys } };
}

/** Where to ask a provider's API whether it is there and takes the key: its model list. */
function modelsRequest(r: ResolvedProvider): { url: string; headers: Record<string, string> } | undefined {
  if (!r.apiBase) return undefined;
  const base = r.apiBase.replace(/\/+$/, "");
  const headers: Record<string, string> = { ...r.extraHeaders };
  if (r.spec.wire === "anthropic") {
    if (r.apiKey) headers["x-api-key"] = r.apiKey;
    headers["anthropic-version"] = "2023-06-01";
    return { url: `${base.endsWith("/v1") ? base : `${base}/v1`}/models`, headers };
  }
  if (r.apiKey) headers.authorization = `Bearer ${r.apiKey}`;
  return { url: `${base}/models`, headers };
}

/** Any answer means the server is there; 401/403 means it refused the key. */
export async function reachabilityCheck(r: ResolvedProvider, signal: AbortSignal): Promise<Check> {
  const req = modelsRequest(r);
  const id = "provider.reachable";
  if (!req) return { id, area: "provider", status: "skip", summary: `${r.name}: no API base URL to probe` };
  const host = new URL(req.url).host;
  let res: Response;
  try {
    res = await fetch(req.url, { headers: req.headers, signal });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    return {
      id,
      area: "provider",
      status: "fail",
      summary: `${r.name} at ${host} cannot be reached (${cause})`,
      fix: `check the network, or providers.${r.name}.apiBase`,
    };
  }
  await res.body?.cancel().catch(() => undefined);
  if ((res.status === 401 || res.status === 403) && r.apiKey) {
    return {
      id,
      area: "provider",
      status: "fail",
      summary: `${r.name} at ${host} refused the key (HTTP ${res.status})`,
      fix: `set a valid key: ${r.keySource ?? r.spec.envKey ?? `providers.${r.name}.apiKey`}`,
    };
  }
  return { id, area: "provider", status: "ok", summary: `${r.name} at ${host} answers (HTTP ${res.status})` };
}

/** provider.resolve (offline, with a local Ollama probe) and provider.reachable (one request). */
export function providerProbes(ctx: DiagnosticsContext): Probe[] {
  const resolve = () => resolveFor(ctx);
  return [
    {
      id: "provider.resolve",
      area: "provider",
      network: false,
      async run() {
        const r = await resolve();
        if (r instanceof NoProviderError) {
          return {
            id: "provider.resolve",
            area: "provider",
            status: "fail",
            summary: r.message,
            fix: "run kavilo onboard, or see docs/configuration.md",
            data: { line: { error: r.message } satisfies ProviderLine },
          };
        }
        const line: ProviderLine = {
          name: r.name,
          model: r.model,
          apiBase: r.apiBase ?? null,
          reason: reasonOf(r, ctx),
        };
        return {
          id: "provider.resolve",
          area: "provider",
          status: "ok",
          summary: `${r.name}/${r.model} (${line.reason})`,
          data: { line },
        };
      },
    },
    { id: "provider.keys", area: "provider", network: false, run: async () => keysCheck(ctx) },
    {
      id: "provider.reachable",
      area: "provider",
      network: true,
      async run(signal) {
        const r = await resolve();
        if (r instanceof NoProviderError) {
          return {
            id: "provider.reachable",
            area: "provider",
            status: "skip",
            summary: "no provider to probe",
          };
        }
        return reachabilityCheck(r, signal);
      },
    },
  ];
}
