import type { ToolSpec } from "../../providers/types.js";

export const SAVE_MEMORY = "save_memory";

/** The one tool of a consolidation request; the model is forced to call it. */
export const saveMemorySpec: ToolSpec = {
  name: SAVE_MEMORY,
  description: "Save the consolidated memory: a history entry for HISTORY.md and the full updated MEMORY.md.",
  parameters: {
    type: "object",
    properties: {
      history_entry: {
        type: "string",
        description:
          "One paragraph (2-5 sentences) summarizing the conversation excerpt: what was asked, decided, done " +
          "and learned, with names, dates, paths and numbers worth finding later by grep. Start with " +
          "[YYYY-MM-DD HH:MM].",
      },
      memory_update: {
        type: "string",
        description:
          "The full updated MEMORY.md: the current content with new long-term facts merged in (preferences, " +
          "people, projects, decisions), outdated ones fixed. Return it unchanged when nothing is new. Markdown.",
      },
    },
    required: ["history_entry", "memory_update"],
  },
};

export interface SaveMemoryArgs {
  /** Trimmed, never empty. */
  history_entry: string;
  memory_update: string;
}

/** The model's save_memory arguments, or undefined when either is missing or not text (or the entry is blank). */
export function parseSaveMemoryArgs(args: unknown): SaveMemoryArgs | undefined {
  if (typeof args !== "object" || args === null) return undefined;
  const { history_entry: entry, memory_update: update } = args as Record<string, unknown>;
  if (typeof entry !== "string" || typeof update !== "string" || entry.trim() === "") return undefined;
  return { history_entry: entry.trim(), memory_update: update };
}

const STAMP = /^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}\]/;

/** The entry as one paragraph starting with its date stamp (added when the model left it out). */
export function normalizeEntry(entry: string, stamp: string): string {
  const flat = entry.replace(/\s*\n\s*/g, " ").trim();
  return STAMP.test(flat) ? flat : `${stamp} ${flat}`;
}

export const CONSOLIDATION_SYSTEM =
  "You are the memory consolidation step of kavilo, a personal assistant. You receive the assistant's " +
  "long-term memory (MEMORY.md) and an older excerpt of a conversation that is about to leave its " +
  "context. Call save_memory exactly once: history_entry summarizes the excerpt in one dated paragraph; " +
  "memory_update is the whole MEMORY.md with any new lasting facts about the user and their work merged " +
  "in. Never store secrets (API keys, passwords, tokens). Do not answer in text.";
