import * as z from "zod";
import type { OutboundMessage } from "../bus/types.js";
import { defineTool, ToolError } from "./types.js";

export interface MessageToolOptions {
  /** Sends through the named channel; rejects with a readable error when it is not configured or running. */
  send: (msg: OutboundMessage) => Promise<void>;
}

const parameters = z.object({
  text: z.string().min(1).describe("The message, in Markdown"),
  channel: z.string().optional().describe('e.g. "telegram" or "slack"; default: the current chat\'s channel'),
  chat_id: z.string().optional().describe("Chat or channel id; default: the current chat"),
  thread_id: z.string().optional().describe("Slack thread ts or Telegram topic id"),
});

/** The agent's `message` tool: sends a message now, to the current chat or another one. */
export function createMessageTool(opts: MessageToolOptions) {
  return defineTool({
    name: "message",
    description:
      "Send a message to the user right now (progress updates, or a message to another chat). " +
      "Without channel/chat_id it goes to the current chat. Your final answer is sent anyway: " +
      "do not repeat it with this tool.",
    parameters,
    capabilities: { sideEffect: true },
    async run(args, ctx) {
      const origin = ctx.origin;
      const channel = args.channel ?? origin?.channel;
      const sameChannel = channel === origin?.channel;
      const chatId = args.chat_id ?? (sameChannel ? origin?.chatId : undefined);
      if (!channel || !chatId) {
        throw new ToolError(
          origin
            ? "chat_id is needed when sending to another channel"
            : "this conversation is not in a chat channel: give channel and chat_id",
        );
      }
      const threadId =
        args.thread_id ?? (sameChannel && chatId === origin?.chatId ? origin?.threadId : undefined);
      try {
        await opts.send({ channel, chatId, text: args.text, ...(threadId ? { threadId } : {}) });
      } catch (err) {
        throw new ToolError((err as Error).message);
      }
      return `Sent to ${channel}:${chatId}${threadId ? ` (thread ${threadId})` : ""}.`;
    },
  });
}
