import { redactText } from "../core/base/redact.js";
import { type ChannelName, channelState, slackApiUrl, telegramApiRoot } from "../core/config/channels.js";
import type { Config } from "../core/config/schema.js";
import type { Check, Probe } from "./types.js";

function unreachable(err: unknown): string {
  return (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
}

const MISSING: Record<ChannelName, { what: (c: Config) => string; fix: string }> = {
  telegram: { what: () => "a token", fix: "set channels.telegram.token (from @BotFather)" },
  slack: {
    what: (c) =>
      [
        !c.channels.slack.botToken && "botToken (xoxb-...)",
        !c.channels.slack.appToken && "appToken (xapp-...)",
      ]
        .filter(Boolean)
        .join(" and "),
    fix: "set them under channels.slack (docs/slack-channel-setup.md)",
  },
};

/**
 * A channel as config.json has it (no network): disabled, enabled without its tokens, or ready to
 * connect. `doctor` goes on to ask the API whether the token is accepted; `status` stops here.
 */
export function channelConfigCheck(config: Config, name: ChannelName): Check {
  const id = `channels.${name}`;
  const state = channelState(config, name);
  const data = { ...state };
  if (!state.enabled) return { id, area: "channels", status: "skip", summary: `${name}: disabled`, data };
  if (!state.configured) {
    return {
      id,
      area: "channels",
      status: "fail",
      summary: `${name}: enabled without ${MISSING[name].what(config)}`,
      fix: MISSING[name].fix,
      data,
    };
  }
  return {
    id,
    area: "channels",
    status: "ok",
    summary: `${name}: enabled (kavilo doctor tests the token)`,
    data,
  };
}

/** Telegram `getMe`: the bot token is accepted. */
export async function telegramCheck(config: Config, signal: AbortSignal): Promise<Check> {
  const id = "channels.telegram";
  const offline = channelConfigCheck(config, "telegram");
  const token = config.channels.telegram.token;
  if (offline.status !== "ok" || !token) return offline;
  const root = telegramApiRoot(config.channels.telegram);
  let body: { ok?: boolean; description?: string; result?: { username?: string } };
  let status: number;
  try {
    const res = await fetch(`${root}/bot${token}/getMe`, { signal });
    status = res.status;
    body = (await res.json().catch(() => ({}))) as typeof body;
  } catch (err) {
    return {
      id,
      area: "channels",
      status: "fail",
      summary: `telegram: ${new URL(root).host} cannot be reached (${redactText(unreachable(err), [token])})`,
      fix: "check the network (or channels.telegram.apiRoot)",
    };
  }
  if (body.ok && body.result) {
    return {
      id,
      area: "channels",
      status: "ok",
      summary: `telegram: token accepted (@${body.result.username ?? "bot"})`,
    };
  }
  return {
    id,
    area: "channels",
    status: "fail",
    summary: `telegram: getMe refused the token (${status}${body.description ? ` ${redactText(body.description, [token])}` : ""})`,
    fix: "set a valid channels.telegram.token (from @BotFather)",
  };
}

/** Slack `auth.test` with the bot token; the app token must be there too. */
export async function slackCheck(config: Config, signal: AbortSignal): Promise<Check> {
  const id = "channels.slack";
  const s = config.channels.slack;
  const offline = channelConfigCheck(config, "slack");
  if (offline.status !== "ok" || !s.botToken || !s.appToken) return offline;
  const url = slackApiUrl(s);
  let body: { ok?: boolean; error?: string; team?: string; user?: string };
  try {
    const res = await fetch(`${url}auth.test`, {
      method: "POST",
      headers: { authorization: `Bearer ${s.botToken}`, "content-type": "application/x-www-form-urlencoded" },
      body: "",
      signal,
    });
    body = (await res.json().catch(() => ({ ok: false, error: `HTTP ${res.status}` }))) as typeof body;
  } catch (err) {
    return {
      id,
      area: "channels",
      status: "fail",
      summary: `slack: ${new URL(url).host} cannot be reached (${redactText(unreachable(err), [s.botToken, s.appToken])})`,
      fix: "check the network (or channels.slack.apiUrl)",
    };
  }
  if (body.ok) {
    return {
      id,
      area: "channels",
      status: "ok",
      summary: `slack: bot token accepted (${body.user ?? "bot"} in ${body.team ?? "workspace"})`,
    };
  }
  return {
    id,
    area: "channels",
    status: "fail",
    summary: `slack: auth.test refused the bot token (${body.error ?? "unknown error"})`,
    fix: "set a valid channels.slack.botToken (xoxb-...)",
  };
}

/** With `network`, each channel's API is asked about its token; without, config.json alone. */
export function channelProbes(config: Config, network = true): Probe[] {
  if (!network) {
    return (["telegram", "slack"] as const).map((name) => ({
      id: `channels.${name}`,
      area: "channels" as const,
      network: false,
      run: async () => channelConfigCheck(config, name),
    }));
  }
  return [
    {
      id: "channels.telegram",
      area: "channels",
      network: true,
      run: (signal) => telegramCheck(config, signal),
    },
    { id: "channels.slack", area: "channels", network: true, run: (signal) => slackCheck(config, signal) },
  ];
}
