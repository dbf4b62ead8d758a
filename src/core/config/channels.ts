import type { Config } from "./schema.js";

export type ChannelName = keyof Config["channels"];

export interface ChannelState {
  enabled: boolean;
  /** It has the tokens it needs to connect: Telegram's bot token, Slack's bot and app tokens. */
  configured: boolean;
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
