/** Where a conversation lives, so the bus, the turn and tools like `message` and `cron` can answer back to it. */
export interface ChannelTarget {
  channel: string;
  chatId: string;
  threadId?: string;
}

/** A file a user sent with a message, already downloaded into the profile's media/. */
export interface InboundMedia {
  path: string;
  mediaType: string;
  kind: "image" | "document" | "audio" | "video";
  name?: string;
}

export interface InboundMessage {
  /** "telegram" | "slack" | "cli" | "cron" | "heartbeat" | ... */
  channel: string;
  chatId: string;
  /** Slack thread_ts; Telegram message_thread_id (topics). */
  threadId?: string;
  senderId: string;
  senderName?: string;
  text: string;
  media?: InboundMedia[];
  /** telegram:<chat>, slack:<channel>:<thread_ts>, ... */
  sessionKey: string;
  /** The platform's id of this message (Telegram message_id, Slack ts). */
  messageId?: string;
  receivedAt: string;
  /** A channel command the user typed: /new, /stop, /help. */
  command?: "new" | "stop" | "help";
}

export interface OutboundMessage {
  channel: string;
  chatId: string;
  threadId?: string;
  /** Markdown; each channel converts it to its own format and splits it. */
  text: string;
  /** Platform message id to reply to, where the platform supports it. */
  replyTo?: string;
  /** Buttons under the message (an approval); a press comes back through InboundSink.choose. */
  choices?: OutboundChoices;
}

export interface OutboundChoices {
  /** Names the question; a press carries it back. Short: Telegram's callback data holds 64 bytes. */
  questionId: string;
  options: Array<{ value: string; label: string; style?: "primary" | "danger" }>;
}

/** A button pressed in a chat: who pressed which option of which question, where. */
export interface ChoicePick {
  channel: string;
  chatId: string;
  senderId: string;
  senderName?: string;
  questionId: string;
  value: string;
}

export interface ChoiceOutcome {
  /** False when the press was refused (another user's, or the question is over). */
  accepted: boolean;
  /** What the person who pressed is told (a toast, an ephemeral message). */
  note: string;
}

/** Where a channel puts what it receives. */
export interface InboundSink {
  publish(msg: InboundMessage): void;
  /** A button press (OutboundMessage.choices); the channel shows the outcome's note to the presser. */
  choose?(pick: ChoicePick): ChoiceOutcome;
}

export interface Channel {
  readonly name: string;
  /** Connects and starts receiving. Resolves once connected; reconnects on its own afterwards. */
  start(sink: InboundSink): Promise<void>;
  stop(): Promise<void>;
  send(msg: OutboundMessage): Promise<void>;
  /** Shows that kavilo is working on `msg` (typing indicator, eyes reaction); returns a stop function. */
  showWorking?(msg: InboundMessage): () => void;
  /**
   * Takes down the buttons of a question nobody answered (OutboundMessage.choices with this
   * questionId): the message then says `outcome` ("no answer in time: denied") in their place.
   */
  closeChoices?(target: ChannelTarget, questionId: string, outcome: string): Promise<void>;
}
