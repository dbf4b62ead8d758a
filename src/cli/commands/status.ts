import { existsSync } from "node:fs";
import { ConfigError } from "../../core/config/load.js";
import type { Config } from "../../core/config/schema.js";
import { probeOllama } from "../../providers/ollama-probe.js";
import { NoProviderError, resolveProvider } from "../../providers/resolve.js";
import { PROVIDER_SPECS } from "../../providers/specs.js";
import type { CliContext } from "../context.js";

export interface StatusReport {
  home: string;
  profile: string | null;
  homeSource: string;
  config: { path: string; exists: boolean; valid: boolean; error?: string; warnings: string[] };
  envOverlays: string[];
  provider: { name: string; model: string; apiBase: string | null; reason: string } | { error: string };
  keys: Array<{ provider: string; env: string | null; inEnv: boolean; inConfig: boolean }>;
  channels: {
    telegram: { enabled: boolean; configured: boolean };
    slack: { enabled: boolean; configured: boolean };
  };
  mcpServers: Array<{ alias: string; transport: "stdio" | "http"; enabled: boolean; auth: string | null }>;
  workspace: { path: string; exists: boolean };
}

async function providerLine(ctx: CliContext, config: Config): Promise<StatusReport["provider"]> {
  try {
    const r = await resolveProvider({ config, probeOllama: () => probeOllama(ctx.env) });
    return { name: r.name, model: r.model, apiBase: r.apiBase ?? null, reason: r.reason };
  } catch (err) {
    if (err instanceof NoProviderError) return { error: err.message };
    throw err;
  }
}

export async function buildStatus(ctx: CliContext): Promise<StatusReport> {
  const base: Omit<
    StatusReport,
    "provider" | "keys" | "channels" | "mcpServers" | "workspace" | "envOverlays"
  > = {
    home: ctx.home.home,
    profile: ctx.home.profile ?? null,
    homeSource: ctx.home.source,
    config: {
      path: ctx.basePaths.config,
      exists: existsSync(ctx.basePaths.config),
      valid: true,
      warnings: [],
    },
  };
  let resolved: ReturnType<CliContext["config"]>;
  try {
    resolved = ctx.config();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return {
      ...base,
      config: { ...base.config, valid: false, error: err.message },
      envOverlays: [],
      provider: { error: "config is invalid" },
      keys: [],
      channels: {
        telegram: { enabled: false, configured: false },
        slack: { enabled: false, configured: false },
      },
      mcpServers: [],
      workspace: { path: ctx.basePaths.workspace, exists: existsSync(ctx.basePaths.workspace) },
    };
  }
  const { config, loaded, applied, paths } = resolved;
  const fileProviders = (loaded.raw.providers ?? {}) as Record<string, { apiKey?: unknown }>;
  return {
    ...base,
    config: { ...base.config, warnings: loaded.warnings },
    envOverlays: applied,
    provider: await providerLine(ctx, config),
    keys: PROVIDER_SPECS.filter((s) => !s.local || s.envKey)
      .map((s) => ({
        provider: s.name,
        env: s.envKey ?? null,
        inEnv: Boolean(s.envKey && ctx.env[s.envKey]),
        inConfig: Boolean(fileProviders[s.name]?.apiKey),
      }))
      .filter((k) => k.inEnv || k.inConfig),
    channels: {
      telegram: {
        enabled: config.channels.telegram.enabled,
        configured: Boolean(config.channels.telegram.token),
      },
      slack: {
        enabled: config.channels.slack.enabled,
        configured: Boolean(config.channels.slack.botToken && config.channels.slack.appToken),
      },
    },
    mcpServers: Object.entries(config.tools.mcpServers).map(([alias, s]) => ({
      alias,
      transport: "url" in s ? "http" : "stdio",
      enabled: s.enabled,
      auth: s.auth?.provider ?? null,
    })),
    workspace: { path: paths.workspace, exists: existsSync(paths.workspace) },
  };
}

function render(r: StatusReport): string {
  const lines: string[] = [];
  const row = (k: string, v: string) => lines.push(`${k.padEnd(12)} ${v}`);
  row("home", `${r.home} (${r.homeSource})`);
  row("profile", r.profile ?? "(custom KAVILO_HOME)");
  const cfg = r.config;
  row(
    "config",
    `${cfg.path} ${!cfg.exists ? "(missing: defaults apply)" : cfg.valid ? "(valid)" : "(INVALID)"}`,
  );
  if (cfg.error) row("", cfg.error);
  for (const w of cfg.warnings) row("", `warning: ${w}`);
  if (r.envOverlays.length) row("env", r.envOverlays.join(", "));
  if ("error" in r.provider) row("provider", `none: ${r.provider.error}`);
  else {
    row("provider", `${r.provider.name} (${r.provider.reason})`);
    row("model", r.provider.model);
    if (r.provider.apiBase) row("api base", r.provider.apiBase);
  }
  row(
    "keys",
    r.keys.length
      ? r.keys
          .map(
            (k) =>
              `${k.provider} (${[k.inEnv ? k.env : "", k.inConfig ? "config" : ""].filter(Boolean).join(", ")})`,
          )
          .join(", ")
      : "none",
  );
  const ch = (name: string, c: { enabled: boolean; configured: boolean }) =>
    `${name}: ${c.enabled ? "enabled" : "disabled"}${c.enabled && !c.configured ? " (missing token)" : ""}`;
  row("channels", `${ch("telegram", r.channels.telegram)}, ${ch("slack", r.channels.slack)}`);
  row(
    "mcp",
    r.mcpServers.length
      ? r.mcpServers
          .map(
            (m) =>
              `${m.alias} (${m.transport}${m.enabled ? "" : ", disabled"}${m.auth ? `, auth ${m.auth}` : ""})`,
          )
          .join(", ")
      : "none",
  );
  row("workspace", `${r.workspace.path}${r.workspace.exists ? "" : " (missing: run kavilo onboard)"}`);
  return `${lines.join("\n")}\n`;
}

export default async function status(ctx: CliContext, opts: { json?: boolean } = {}): Promise<number> {
  const report = await buildStatus(ctx);
  process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : render(report));
  return report.config.valid ? 0 : 2;
}
