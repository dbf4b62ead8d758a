import * as z from "zod";

const slackFile = z.object({
  id: z.string(),
  name: z.string().optional(),
  mimetype: z.string().optional(),
  url_private: z.string().optional(),
  url_private_download: z.string().optional(),
  size: z.number().optional(),
});

/** The part of a Slack `message` / `app_mention` event kavilo reads. */
export const slackMessageEvent = z.object({
  type: z.enum(["message", "app_mention"]),
  subtype: z.string().optional(),
  channel: z.string(),
  channel_type: z.string().optional(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  text: z.string().optional(),
  ts: z.string(),
  thread_ts: z.string().optional(),
  files: z.array(slackFile).optional(),
});

export type SlackMessageEvent = z.infer<typeof slackMessageEvent>;
export type SlackFile = z.infer<typeof slackFile>;

/** An events_api envelope's payload: `{ event: {...} }`. */
export const eventsApiPayload = z.object({ event: z.object({ type: z.string() }).loose() });
