import { claudeLoginProviders } from "../../auth/claude/login-file.js";
import { applyEnvOverlays } from "../../core/config/overlay.js";
import { createProvider } from "../../providers/create.js";
import { type CredentialsGetter, staticCredentials } from "../../providers/credentials.js";
import { httpPolicyFromEnv } from "../../providers/http-policy.js";
import { probeOllama } from "../../providers/ollama-probe.js";
import { type ResolvedProvider, resolveProvider } from "../../providers/resolve.js";
import type { Provider } from "../../providers/types.js";
import type { CliContext } from "../context.js";
import { claudeLoginFor } from "./claude-login.js";

export interface ComposedProvider {
  resolved: ResolvedProvider;
  provider: Provider;
}

/**
 * The ChatGPT login `codex login` keeps in `$CODEX_HOME/auth.json`, read (and refreshed) per
 * request. Loaded on the first request, so other providers never load the Codex auth code.
 */
function codexCredentials(env: NodeJS.ProcessEnv): CredentialsGetter {
  let getter: Promise<CredentialsGetter> | undefined;
  return async (req) => {
    getter ??= import("../../auth/codex/credentials.js").then((m) => m.codexCredentialsGetter(env));
    return (await getter)(req);
  };
}

/**
 * Resolves the provider (`--model` included) and creates its adapter. This is the one place that
 * decides where a provider's credentials come from, asked per request: the Claude login, the Codex
 * login, else the key from config or the environment.
 */
export async function composeProvider(
  ctx: CliContext,
  opts: { model?: string | undefined; log: (line: string) => void; eager?: boolean | undefined },
): Promise<ComposedProvider> {
  const { config } = ctx.config();
  // --model is KAVILO_MODEL by another name: the same overlay picks the provider KAVILO_API_KEY/BASE apply to.
  const env = opts.model ? { ...ctx.env, KAVILO_MODEL: opts.model } : ctx.env;
  const resolved = await resolveProvider({
    config: opts.model ? applyEnvOverlays(ctx.config().loaded.config, env).config : config,
    env,
    probeOllama: (at) => probeOllama(env, undefined, at),
    loggedIn: claudeLoginProviders(opts.model ?? config.agents.defaults.model, ctx.config().paths, ctx.env),
  });
  const claude = claudeLoginFor(resolved, ctx.config().paths, ctx.env);
  const provider = createProvider(resolved, {
    policy: httpPolicyFromEnv(ctx.env),
    log: opts.log,
    credentials:
      claude?.credentials ??
      (resolved.spec.wire === "openai-codex"
        ? codexCredentials(ctx.env)
        : staticCredentials(resolved.apiKey)),
    timezone: config.agents.defaults.timezone,
    ...(opts.eager ? { eager: true } : {}),
  });
  return { resolved, provider: claude ? claude.explainRefusal(provider) : provider };
}
