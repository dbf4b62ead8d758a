import { join } from "node:path";
import type { Message, Provider, Usage } from "../../providers/types.js";
import { withFileMutex } from "../base/file-lock.js";
import { estimateText } from "../context/token-estimate.js";
import { appendHistory, readMemory, stamp, writeMemoryIfChanged } from "./memory-files.js";
import {
  CONSOLIDATION_SYSTEM,
  normalizeEntry,
  parseSaveMemoryArgs,
  SAVE_MEMORY,
  type SaveMemoryArgs,
  saveMemorySpec,
} from "./save-memory.js";
import { transcriptText } from "./transcript-text.js";

export interface ConsolidatorDeps {
  provider: Provider;
  workspace: string;
  /** The model that summarizes (agents.defaults.memoryModel, else the chat's model). */
  model: () => string;
  /** Tokens one consolidation request may use. */
  budget: () => number;
  maxTokens?: number;
  timezone?: string;
  now?: () => Date;
  /** Attempts per stretch before its raw turns are archived instead. */
  attempts?: number;
  onUsage?: (usage: Usage, model: string) => void;
  log?: (line: string) => void;
}

export interface ConsolidationResult {
  /** Stretches summarized by the model. */
  summarized: number;
  /** Stretches archived raw after failed attempts. */
  archivedRaw: number;
  memoryChanged: boolean;
}

/** Each message as the consolidation model sees it is clipped to this many characters. */
const MESSAGE_CHARS = 4_000;
/** Room for the instructions, the answer's framing and the estimate's error. */
const OVERHEAD_TOKENS = 1_500;

/** Splits whole turns into stretches that each fit one consolidation request. */
export function stretches(messages: readonly Message[], room: number): Message[][] {
  const out: Message[][] = [];
  let cur: Message[] = [];
  let size = 0;
  const push = (turn: Message[]) => {
    const t = estimateText(transcriptText(turn, MESSAGE_CHARS));
    if (cur.length > 0 && size + t > room) {
      out.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(...turn);
    size += t;
  };
  let turn: Message[] = [];
  for (const m of messages) {
    if (m.role === "user" && turn.length > 0) {
      push(turn);
      turn = [];
    }
    turn.push(m);
  }
  if (turn.length) push(turn);
  if (cur.length) out.push(cur);
  return out;
}

/**
 * Moves old turns into memory with the model: each stretch goes in a separate request whose only
 * tool, save_memory, the model must call. The entry is appended to HISTORY.md; MEMORY.md is rewritten
 * atomically when it changed. A stretch that fails `attempts` times is archived word for word,
 * marked [raw], so the context can still shrink.
 */
export class Consolidator {
  constructor(private readonly deps: ConsolidatorDeps) {}

  async consolidate(messages: readonly Message[]): Promise<ConsolidationResult> {
    const result: ConsolidationResult = { summarized: 0, archivedRaw: 0, memoryChanged: false };
    if (messages.length === 0) return result;
    const memory = await readMemory(this.deps.workspace);
    const room = Math.max(1_000, this.deps.budget() - estimateText(memory) - OVERHEAD_TOKENS);
    for (const part of stretches(messages, room)) {
      const outcome = await this.consolidateOne(part);
      if (outcome === "raw") result.archivedRaw++;
      else {
        result.summarized++;
        if (outcome === "changed") result.memoryChanged = true;
      }
    }
    return result;
  }

  private async consolidateOne(part: Message[]): Promise<"changed" | "same" | "raw"> {
    const attempts = this.deps.attempts ?? 3;
    let lastError = "";
    for (let i = 1; i <= attempts; i++) {
      const before = await readMemory(this.deps.workspace);
      const got = await this.ask(part, before);
      if (typeof got === "string") {
        lastError = got;
        this.deps.log?.(`memory consolidation attempt ${i}/${attempts} failed: ${got}`);
        continue;
      }
      const written = await this.save(got, before);
      if (written !== "stale") return written;
      lastError = "MEMORY.md changed while the model was summarizing";
    }
    await this.archiveRaw(part, lastError);
    return "raw";
  }

  /** One consolidation request; the save_memory arguments, or why there are none. */
  private async ask(part: Message[], memory: string): Promise<SaveMemoryArgs | string> {
    const now = this.deps.now?.() ?? new Date();
    const model = this.deps.model();
    const content =
      `Current time: ${stamp(now, this.deps.timezone)}\n\n## Current MEMORY.md\n\n${memory.trim() || "(empty)"}\n\n` +
      `## Conversation to consolidate\n\n${transcriptText(part, MESSAGE_CHARS)}`;
    let args: unknown;
    let failure = "";
    const stream = this.deps.provider.stream({
      model,
      system: CONSOLIDATION_SYSTEM,
      messages: [{ role: "user", content }],
      tools: [saveMemorySpec],
      toolChoice: { name: SAVE_MEMORY },
      ...(this.deps.maxTokens !== undefined ? { maxTokens: this.deps.maxTokens } : {}),
    });
    for await (const ev of stream) {
      if (ev.type === "tool-call" && ev.name === SAVE_MEMORY && args === undefined) args = ev.args;
      else if (ev.type === "usage") this.deps.onUsage?.(ev.usage, model);
      else if (ev.type === "error") failure = ev.error.message;
    }
    if (failure) return failure;
    if (args === undefined) return "the model did not call save_memory";
    return parseSaveMemoryArgs(args) ?? "save_memory arguments need history_entry and memory_update as text";
  }

  /** Appends the entry and rewrites MEMORY.md, unless another session rewrote it meanwhile. */
  private async save(args: SaveMemoryArgs, before: string): Promise<"changed" | "same" | "stale"> {
    const ws = this.deps.workspace;
    const now = this.deps.now?.() ?? new Date();
    return withFileMutex(join(ws, "memory", ".memory.lock"), async () => {
      if ((await readMemory(ws)) !== before) return "stale";
      await appendHistory(ws, normalizeEntry(args.history_entry, stamp(now, this.deps.timezone)));
      const changed =
        args.memory_update.trim() !== "" && (await writeMemoryIfChanged(ws, before, args.memory_update));
      return changed ? "changed" : "same";
    });
  }

  private async archiveRaw(part: Message[], reason: string): Promise<void> {
    const now = this.deps.now?.() ?? new Date();
    const head = `${stamp(now, this.deps.timezone)} [raw] ${part.length} messages archived without a summary (consolidation failed: ${reason || "unknown"}):`;
    await appendHistory(this.deps.workspace, `${head}\n${transcriptText(part)}`);
    this.deps.log?.(`memory consolidation failed; archived ${part.length} messages raw to memory/HISTORY.md`);
  }
}
