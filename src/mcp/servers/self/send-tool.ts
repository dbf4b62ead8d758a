import * as z from "zod";
import { outboxDir, sendThroughOutbox } from "../../../core/bus/outbox-spool.js";
import type { OutboundMessage } from "../../../core/bus/types.js";
import { channelState } from "../../../core/config/channels.js";
import { defineSelfTool, type SelfDeps, type SelfTool, SelfToolError } from "./self-tool.js";

/** Without a channel in this process, the running `kavilo start` of the profile sends it. */
function sender(deps: SelfDeps): (msg: OutboundMessage) => Promise<void> {
  if (deps.send) return deps.send;
  const { home, lock } = deps.basePaths;
  return (msg) =>
    sendThroughOutbox(msg, {
      dir: outboxDir(home),
      lockPath: lock,
      ...(deps.outboxTimeoutMs ? { timeoutMs: deps.outboxTimeoutMs } : {}),
    });
}

export function createSendTool(deps: SelfDeps): SelfTool {
  return defineSelfTool({
    name: "send_channel_message",
    title: "Send a chat message",
    description:
      "Send a message to a chat through kavilo's Telegram or Slack channel. The channel must be enabled in " +
      "kavilo's config and `kavilo start` must be running for this profile: it does the sending. Returns once " +
      "the platform accepted the message, or one line saying why it was not sent.",
    input: z.object({
      channel: z.enum(["telegram", "slack"]).describe("The channel to send through"),
      // Telegram chat ids are numbers; clients and models send them either way.
      chatId: z
        .union([z.string().min(1), z.number().int()])
        .describe("Telegram chat id (a number, negative for groups), or Slack channel id (C..., D...)"),
      text: z.string().min(1).describe("Message text in Markdown; long texts are split by the channel"),
      threadId: z.string().min(1).optional().describe("Slack thread_ts or Telegram topic id to reply in"),
    }),
    readOnly: false,
    openWorld: true,
    async handler({ channel, chatId: id, text, threadId }) {
      const chatId = String(id);
      const state = channelState(deps.config().config, channel);
      if (!state.enabled || !state.configured) {
        throw new SelfToolError(
          `channel ${channel} is not configured: set channels.${channel}.enabled and its token${channel === "slack" ? "s" : ""} in config.json`,
        );
      }
      try {
        await sender(deps)({ channel, chatId, text, ...(threadId ? { threadId } : {}) });
      } catch (err) {
        throw new SelfToolError((err as Error).message);
      }
      return { sent: true, channel, chatId, ...(threadId ? { threadId } : {}) };
    },
  });
}
