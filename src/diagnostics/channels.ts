import { redactText } from "../core/base/redact.js";
import { channelState, slackApiUrl, telegramApiRoot } from "../core/config/channels.js";
import type { Config } from "../core/config/schema.js";
import type { Check, Probe } from "./types.js";

function unreachable(err: unknown): string {
  return (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
}

/** Telegram `getMe`: the bot token is accepted. */
export async function telegramCheck(config: Config, signal: AbortSignal): Promise<Check> {
  const id = "channels.telegram";
  const state = channelState(config, "telegram");
  if (!state.enabled) return { id, area: "channels", status: "skip", summary: "telegram: disabled" };
  const token = config.channels.telegram.token;
  if (!token) {
    return {
      id,
      area: "channels",
      status: "fail",
      summary: "telegram: enabled without a token",
      fix: "set channels.telegram.token (from @BotFather)",
    };
  }
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
  if (!s.enabled) return { id, area: "channels", status: "skip", summary: "slack: disabled" };
  if (!s.botToken || !s.appToken) {
    const missing = [!s.botToken && "botToken (xoxb-...)", !s.appToken && "appToken (xapp-...)"].filter(
      Boolean,
    );
    return {
      id,
      area: "channels",
      status: "fail",
      summary: `slack: enabled without ${missing.join(" and ")}`,
      fix: "set them under channels.slack (docs/slack-channel-setup.md)",
    };
  }
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

export function channelProbes(config: Config): Probe[] {
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
