import type { Provider } from "../../providers/types.js";
import type { UsageLog } from "../usage.js";
import { ContextKeeper, type ContextSettings } from "./context-keeper.js";

/** What the agent loop knows that its context keeper needs. */
export interface AgentKeeperInput {
  provider: Provider;
  providerName: string;
  workspace: string;
  sessions: { readonly dir: string };
  usage: UsageLog;
  context?: Omit<ContextSettings, "maxTokens"> | undefined;
  maxTokens?: number | undefined;
  timezone?: string | undefined;
  log?: ((line: string) => void) | undefined;
  warn?: ((line: string) => void) | undefined;
  progress?: ((line: string) => void) | undefined;
}

/** The agent's context keeper: its budget settings, and consolidation calls recorded in the usage log. */
export function keeperForAgent(o: AgentKeeperInput): ContextKeeper {
  return new ContextKeeper({
    provider: o.provider,
    workspace: o.workspace,
    sessionsDir: o.sessions.dir,
    settings: { ...o.context, maxTokens: o.maxTokens },
    timezone: o.timezone,
    log: o.log,
    warn: o.warn,
    progress: o.progress,
    onUsage: (usage, model, session) =>
      void o.usage
        .record({ provider: o.providerName, model, session, usage })
        .catch((err: Error) => o.warn?.(`could not record usage: ${err.message}`)),
  });
}
