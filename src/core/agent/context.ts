import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ChannelTarget } from "../bus/types.js";
import { cachedSkills } from "../skills/discover.js";
import { skillsPrompt } from "../skills/prompt.js";

const WORKSPACE_FILES = ["AGENTS.md", "SOUL.md", "USER.md", "MEMORY.md"] as const;
const MAX_FILE_CHARS = 20_000;

async function readOptional(path: string): Promise<string | undefined> {
  try {
    const text = await readFile(path, "utf8");
    return text.length > MAX_FILE_CHARS ? `${text.slice(0, MAX_FILE_CHARS)}\n[truncated]` : text;
  } catch {
    return undefined;
  }
}

/**
 * The clock as the model sees it. Without a configured zone it uses Date's own local rendering:
 * loading ICU for Intl costs more start-up time than the rest of a one-shot turn's context.
 */
export function clockLine(now: Date, timezone?: string): string {
  if (timezone) {
    const local = new Intl.DateTimeFormat("en-GB", {
      timeZone: timezone,
      dateStyle: "full",
      timeStyle: "long",
    }).format(now);
    return `${local} (time zone ${timezone}; ISO ${now.toISOString()})`;
  }
  return `${now.toString()} (ISO ${now.toISOString()})`;
}

export interface ContextInput {
  workspace: string;
  now?: Date;
  timezone?: string;
  origin?: ChannelTarget;
  /** Extra lines from the front-end, e.g. "You are answering in a Telegram chat." */
  channelNote?: string;
}

/** The system prompt of a turn: identity, clock, workspace, the user's files, skills, channel. */
export async function buildSystemPrompt(input: ContextInput): Promise<string> {
  const now = input.now ?? new Date();
  const parts: string[] = [
    "You are kavilo, a personal AI assistant running on the user's machine. You can use tools to read and " +
      "write files in the workspace, run shell commands, and fetch web pages. Answer concisely.",
    `Current time: ${clockLine(now, input.timezone)}.`,
    `Workspace: ${input.workspace}. Relative paths in file tools are relative to it.`,
  ];
  const files = await Promise.all(WORKSPACE_FILES.map((f) => readOptional(join(input.workspace, f))));
  WORKSPACE_FILES.forEach((name, i) => {
    const text = files[i]?.trim();
    if (text) parts.push(`## ${name}\n\n${text}`);
  });
  const skills = skillsPrompt((await cachedSkills({ workspace: input.workspace })).skills);
  if (skills) parts.push(skills);
  if (input.origin) {
    parts.push(
      `## Channel\n\nThis conversation is on ${input.origin.channel}, chat ${input.origin.chatId}` +
        `${input.origin.threadId ? `, thread ${input.origin.threadId}` : ""}.`,
    );
  }
  if (input.channelNote) parts.push(input.channelNote);
  return parts.join("\n\n");
}
