import * as z from "zod";
import type { ChoicePick, OutboundChoices } from "../../core/bus/types.js";

/** action_id prefix of kavilo's buttons; the value is `<questionId>:<option>`. */
const ACTION_PREFIX = "kavilo_choice_";

const section = (text: string) => ({ type: "section" as const, text: { type: "mrkdwn" as const, text } });

/** A question with Block Kit buttons (an approval): the text, then one button per option. */
export function choiceBlocks(text: string, choices: OutboundChoices) {
  return [
    section(text),
    {
      type: "actions" as const,
      block_id: `${ACTION_PREFIX}${choices.questionId}`,
      elements: choices.options.map((o) => ({
        type: "button" as const,
        action_id: `${ACTION_PREFIX}${o.value}`,
        text: { type: "plain_text" as const, text: o.label },
        value: `${choices.questionId}:${o.value}`,
        ...(o.style ? { style: o.style } : {}),
      })),
    },
  ];
}

/** The question once answered: its text, and who chose what in place of the buttons. */
export function answeredBlocks(text: string, outcome: string) {
  return [
    section(text),
    { type: "context" as const, elements: [{ type: "mrkdwn" as const, text: outcome }] },
  ];
}

/** A `block_actions` payload as Socket Mode delivers it in an `interactive` envelope. */
const blockActions = z.looseObject({
  type: z.literal("block_actions"),
  user: z.looseObject({ id: z.string(), username: z.string().optional(), name: z.string().optional() }),
  channel: z.looseObject({ id: z.string() }).optional(),
  container: z
    .looseObject({ channel_id: z.string().optional(), message_ts: z.string().optional() })
    .optional(),
  message: z
    .looseObject({
      ts: z.string(),
      thread_ts: z.string().optional(),
      blocks: z
        .array(z.looseObject({ type: z.string(), text: z.looseObject({ text: z.string() }).optional() }))
        .optional(),
    })
    .optional(),
  actions: z.array(
    z.looseObject({
      action_id: z.string(),
      value: z.string().optional(),
      text: z.looseObject({ text: z.string() }).optional(),
    }),
  ),
});

export interface SlackPress {
  pick: ChoicePick;
  /** The pressed button's label. */
  label: string;
  messageTs?: string;
  threadTs?: string;
  /** The question's text (its first section), to keep when the buttons are replaced. */
  questionText?: string;
}

/** A press of one of kavilo's buttons, or undefined for any other interactive payload. */
export function parseSlackPress(body: unknown): SlackPress | undefined {
  const parsed = blockActions.safeParse(body);
  if (!parsed.success) return undefined;
  const p = parsed.data;
  const action = p.actions.find((a) => a.action_id.startsWith(ACTION_PREFIX));
  const m = /^([\w-]+):([\w-]+)$/.exec(action?.value ?? "");
  const chatId = p.channel?.id ?? p.container?.channel_id;
  if (!action || !m?.[1] || !m[2] || !chatId) return undefined;
  const messageTs = p.message?.ts ?? p.container?.message_ts;
  const name = p.user.username ?? p.user.name;
  const questionText = p.message?.blocks?.find((b) => b.type === "section")?.text?.text;
  return {
    pick: {
      channel: "slack",
      chatId,
      senderId: p.user.id,
      ...(name ? { senderName: name } : {}),
      questionId: m[1],
      value: m[2],
    },
    label: action.text?.text ?? m[2],
    ...(messageTs ? { messageTs } : {}),
    ...(p.message?.thread_ts ? { threadTs: p.message.thread_ts } : {}),
    ...(questionText ? { questionText } : {}),
  };
}
