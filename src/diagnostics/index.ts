import { ConfigError } from "../core/config/load.js";
import { refresherReport } from "../refreshers/report.js";
import { approvalCheck } from "./approvals.js";
import { channelProbes } from "./channels.js";
import { configCheck, envCheck } from "./config.js";
import { credentialProbes } from "./credentials.js";
import { cronProbes } from "./cron.js";
import { homeProbes } from "./home.js";
import { mcpProbes } from "./mcp.js";
import { providerProbes } from "./provider.js";
import { refresherChecks } from "./refreshers.js";
import { systemProbes } from "./system.js";
import type { CheckArea, DiagnosticsContext, Probe } from "./types.js";

export { collectChecks, runChecks, worstStatus } from "./run.js";
export type { Check, CheckArea, CheckStatus, DiagnosticsContext, Probe, Repair } from "./types.js";

/** The areas that need a usable config.json; with a broken one each is one skipped check. */
const CONFIG_AREAS: readonly CheckArea[] = [
  "provider",
  "credentials",
  "channels",
  "tools",
  "mcp",
  "refreshers",
];

export interface ProbeOptions {
  /** Connect MCP servers and call the providers' and channels' APIs (doctor); false for a quick look. */
  network?: boolean;
  now?: Date;
  /** Checks of the CLI's own (the service unit: its file places are the CLI's). */
  extra?: readonly Probe[];
}

/** Every check kavilo knows, as probes for the runner: each area exports its own. */
export function diagnosticProbes(ctx: DiagnosticsContext, opts: ProbeOptions = {}): Probe[] {
  const now = opts.now ?? new Date();
  const probes: Probe[] = [
    ...systemProbes(ctx),
    { id: "config.file", area: "config", network: false, run: async () => configCheck(ctx) },
    ...homeProbes(ctx),
    ...cronProbes(ctx.basePaths.cronJobs, now),
    ...(opts.extra ?? []),
  ];
  let resolved: ReturnType<DiagnosticsContext["config"]>;
  try {
    resolved = ctx.config();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const area of CONFIG_AREAS) {
      probes.push({
        id: area,
        area,
        network: false,
        run: async () => ({ id: area, area, status: "skip", summary: "not checked: config.json is invalid" }),
      });
    }
    return probes;
  }
  const { config, paths } = resolved;
  const network = opts.network !== false;
  probes.push(
    { id: "config.env", area: "config", network: false, run: async () => envCheck(ctx) },
    ...providerProbes(ctx).filter((p) => network || !p.network),
    ...credentialProbes(config, paths, ctx.env, now),
    ...channelProbes(config, network),
    { id: "tools.approval", area: "tools", network: false, run: async () => approvalCheck(config) },
    ...(network ? mcpProbes(config, paths) : []),
    {
      id: "refreshers",
      area: "refreshers",
      network: false,
      run: async () =>
        refresherChecks(
          await refresherReport({
            home: paths.home,
            config,
            env: ctx.env,
            wantCodexLogin: config.agents.defaults.provider === "openai_codex",
          }),
        ),
    },
  );
  return probes;
}
