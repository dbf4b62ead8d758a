import { SessionStore } from "../../core/session/session-store.js";
import type { UsageLog } from "../../core/usage.js";
import { browserStepUp } from "../../mcp/client/browser-step-up.js";
import { profileApprovalLog } from "../approval-log.js";
import { composeAgent } from "../compose/agent.js";
import type { CliContext } from "../context.js";
import { createNoticeFeed } from "../tui/notice-feed.js";
import { withoutFetch } from "../tui/without-fetch.js";
import type { AgentOptions } from "./agent.js";

function usageText(log: UsageLog): () => Promise<string> {
  return async () => {
    const s = await log.summary({ days: 1 });
    const t = s.total;
    const models = s.models.map((m) => `${m.provider}/${m.model}: ${m.input} in, ${m.output} out`).join("; ");
    return `today: ${t.calls} calls, ${t.input} input, ${t.output} output tokens${models ? ` (${models})` : ""}`;
  };
}

/** `kavilo agent` with a terminal: the ink TUI, loaded only here. */
export async function runInteractive(ctx: CliContext, opts: AgentOptions): Promise<number> {
  // NO_COLOR (no-color.org): ink's chalk reads only FORCE_COLOR, and only when it loads (below).
  if (process.env.NO_COLOR && process.env.FORCE_COLOR === undefined) process.env.FORCE_COLOR = "0";
  // A tool call refused for lack of scope logs in again in the browser; its lines show in the chat.
  const notices = createNoticeFeed();
  const { config, paths } = ctx.config();
  const composed = await composeAgent(ctx, {
    mcpStepUp: browserStepUp({ servers: config.tools.mcpServers, paths, print: notices.push }),
    ...(opts.model ? { model: opts.model } : {}),
    progress: notices.push,
    // The TUI asks before risky tools unless tools.approval.mode says otherwise.
    approvalDefault: "ask",
    // Inside the TUI, stray writes to stderr would tear the frame; log lines go to the debug stream only.
    log: (line) => {
      if (ctx.debug) process.stderr.write(`kavilo: ${line}\n`);
    },
    // Who allowed or denied a risky tool: the profile's log file (and the debug stream).
    approvalLog: profileApprovalLog(ctx, (line) => {
      if (ctx.debug) process.stderr.write(`kavilo: ${line}\n`);
    }),
  });
  const { runTui } = await withoutFetch(() => import("../tui/run-tui.js"));
  try {
    return await runTui({
      runner: composed.agent,
      profile: ctx.home.profile ?? ctx.home.home,
      sessionKey: opts.session,
      historyFile: ctx.basePaths.history,
      usageText: usageText(composed.usage),
      recentSessions: () => new SessionStore(paths.sessions).list(),
      notices,
    });
  } finally {
    await composed.close();
  }
}
