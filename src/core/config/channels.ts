import type { Config, SlackConfig, TelegramConfig } from "./schema.js";

export type ChannelName = keyof Config["channels"];

export interface ChannelState {
  enabled: boolean;
  /** It has the tokens it needs to connect: Telegram's bot token, Slack's bot and app tokens. */
  configured: boolean;
}

/** The Bot API server a Telegram channel talks to (channels.telegram.apiRoot), without a trailing slash. */
export function telegramApiRoot(telegram: Pick<TelegramConfig, "apiRoot">): string {
  return (telegram.apiRoot ?? "https://api.telegram.org").replace(/\/+$/, "");
}

/** The Web API base a Slack channel calls (channels.slack.apiUrl), with its trailing slash. */
export function slackApiUrl(slack: Pick<SlackConfig, "apiUrl">): string {
  const url = slack.apiUrl ?? "https://slack.com/api/";
  return url.endsWith("/") ? url : `${url}/`;
}

/** Whether a channel is on and has what it needs to connect. Tokens are looked at, never returned. */
export function channelState(config: Config, name: ChannelName): ChannelState {
  if (name === "telegram") {
    const t = config.channels.telegram;
    return { enabled: t.enabled, configured: Boolean(t.token) };
  }
  const s = config.channels.slack;
  return { enabled: s.enabled, configured: Boolean(s.botToken && s.appToken) };
}
