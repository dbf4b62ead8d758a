import type { ChannelTarget, InboundMessage, OutboundMessage } from "../../core/bus/types.js";
import type { SupervisedChannel } from "./channel-supervisor.js";

/** Sends to channels by name; the one place that knows which channels this runtime has. */
export interface ChannelRouter {
  send(msg: OutboundMessage): Promise<void>;
  showWorking(msg: InboundMessage): (() => void) | undefined;
  /** Takes down an unanswered question's buttons, where the channel can. */
  closeChoices(target: ChannelTarget, questionId: string, outcome: string): Promise<void>;
  names(): string[];
}

export function createChannelRouter(channels: readonly SupervisedChannel[]): ChannelRouter {
  const byName = new Map(channels.map((c) => [c.name, c]));
  const names = () => [...byName.keys()];
  return {
    names,
    async send(msg) {
      const target = byName.get(msg.channel);
      if (!target) {
        const running = names();
        throw new Error(
          `channel "${msg.channel}" is not configured or not enabled in this profile` +
            (running.length ? ` (available: ${running.join(", ")})` : " (no channel is running)"),
        );
      }
      await target.channel.send(msg);
    },
    async closeChoices(target, questionId, outcome) {
      await byName.get(target.channel)?.channel.closeChoices?.(target, questionId, outcome);
    },
    showWorking(msg) {
      const target = byName.get(msg.channel);
      try {
        return target?.channel.showWorking?.(msg);
      } catch {
        return undefined;
      }
    },
  };
}
