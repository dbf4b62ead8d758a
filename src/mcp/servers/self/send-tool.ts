import * as z from "zod";
import { CHANNEL_NAMES, type ChannelName, channelState } from "./config-tools.js";
import { defineSelfTool, type SelfDeps, type SelfTool, SelfToolError } from "./self-tool.js";

export function createSendTool(deps: SelfDeps): SelfTool {
  return defineSelfTool({
    name: "send_channel_message",
    title: "Send a chat message",
    description:
      "Send a message to a chat through one of kavilo's running channels (telegram or slack). Works only " +
      "where a channel runs in the same process (inside `kavilo start`); elsewhere it explains why it cannot.",
    input: z.object({
      channel: z.string().min(1).describe('"telegram" or "slack"'),
      chatId: z.string().min(1).describe("Telegram chat id, or Slack channel id (C..., D...)"),
      text: z.string().min(1).describe("Message text in Markdown; long texts are split by the channel"),
      threadId: z.string().min(1).optional().describe("Slack thread_ts or Telegram topic id to reply in"),
    }),
    readOnly: false,
    openWorld: true,
    async handler({ channel, chatId, text, threadId }) {
      if (!CHANNEL_NAMES.includes(channel as ChannelName)) {
        throw new SelfToolError(`unknown channel "${channel}": use ${CHANNEL_NAMES.join(" or ")}`);
      }
      const state = channelState(deps.config().config, channel as ChannelName);
      if (!state.enabled || !state.configured) {
        throw new SelfToolError(
          `channel ${channel} is not configured: set channels.${channel}.enabled and its token${channel === "slack" ? "s" : ""} in config.json`,
        );
      }
      if (!deps.send) {
        throw new SelfToolError(
          "no channel is running in this process: start `kavilo start` and send from there " +
            "(the agent inside it has this tool), or ask kavilo in the chat itself",
        );
      }
      await deps.send({ channel, chatId, text, ...(threadId ? { threadId } : {}) });
      return { sent: true, channel, chatId, ...(threadId ? { threadId } : {}) };
    },
  });
}
