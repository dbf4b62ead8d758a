import type {
  ContentPart,
  Message,
  Provider,
  ReasoningEffort,
  ToolCall,
  ToolSpec,
  Usage,
} from "../../providers/types.js";
import { keeperForAgent } from "../context/agent-keeper.js";
import type { ContextKeeper, ContextSettings } from "../context/context-keeper.js";
import { isContextOverflow, tooLargeLine } from "../context/overflow.js";
import { SessionFileError, type SessionStore } from "../session/session-store.js";
import type { ToolExecution } from "../tools/registry.js";
import type { ToolContext } from "../tools/types.js";
import { addUsage, type UsageLog } from "../usage.js";
import { buildSystemPrompt, type ContextInput } from "./context.js";
import { EventQueue } from "./event-queue.js";
import type { AgentEvent, TurnEndReason } from "./events.js";
import { forStorage } from "./stored-message.js";
import { abortedReply, incompleteReply, resumeAborted } from "./turn-marks.js";
import type { AgentRunner, TurnRequest } from "./types.js";

/** What the loop needs from a tool registry. */
export interface ToolExecutor {
  specs(): ToolSpec[];
  execute(call: ToolCall, ctx: ToolContext): Promise<ToolExecution>;
}

export interface AgentOptions {
  provider: Provider;
  providerName: string;
  model: string;
  tools: ToolExecutor;
  /** Runs before the first turn that needs tools (e.g. connecting MCP servers). */
  prepareTools?: () => Promise<void>;
  sessions: SessionStore;
  usage: UsageLog;
  workspace: string;
  restrictToWorkspace: boolean;
  timezone?: string;
  maxIterations: number;
  maxTokens?: number;
  temperature?: number;
  reasoningEffort?: ReasoningEffort;
  /** The context budget and memory (agents.defaults); maxTokens comes from above. */
  context?: Omit<ContextSettings, "maxTokens">;
  /** Detail (retries): shown with --debug, written to the log file. */
  log?: (line: string) => void;
  /** What the user should see: a damaged session file, a usage record that failed. */
  warn?: (line: string) => void;
  /** What the user waiting on the turn should see while memory is consolidated before it. */
  progress?: (line: string) => void;
  buildSystem?: (input: ContextInput) => Promise<string>;
}

const DISPLAY_OUTPUT_CHARS = 2000;
const ZERO: Usage = { input: 0, output: 0, reasoning: 0, cacheRead: 0, cacheWrite: 0 };

function textOf(content: string | ContentPart[]): string {
  if (typeof content === "string") return content;
  return content.map((p) => (p.type === "text" ? p.text : `[image ${p.mediaType}]`)).join("\n");
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more chars)` : text;
}

export function maxIterationsMessage(n: number): string {
  return (
    `I stopped after ${n} tool steps without reaching a final answer ` +
    "(agents.defaults.maxToolIterations). Say 'continue' to let me go on."
  );
}

/** The agent loop: context → stream → tools → repeat, emitting AgentEvents. */
export class Agent implements AgentRunner {
  readonly provider: string;
  private currentModel: string;
  private toolsReady: Promise<void> | undefined;
  /** Fits each request into the token budget; consolidates what no longer fits. */
  readonly context: ContextKeeper;

  constructor(private readonly opts: AgentOptions) {
    this.provider = opts.providerName;
    this.currentModel = opts.model;
    this.context = keeperForAgent(opts);
  }

  get model(): string {
    return this.currentModel;
  }

  setModel(model: string): void {
    this.currentModel = model;
  }

  async resetSession(sessionKey: string): Promise<void> {
    const { messages } = await this.opts.sessions.load(sessionKey);
    await this.context.reset(sessionKey, messages, this.currentModel, async () => {
      await this.opts.sessions.reset(sessionKey);
    });
  }

  async sessionUsage(sessionKey: string): Promise<Usage> {
    const records = await this.opts.usage.records();
    return records
      .filter((r) => r.session === sessionKey)
      .reduce<Usage>((acc, r) => addUsage(acc, r), { ...ZERO });
  }

  runTurn(req: TurnRequest): AsyncIterable<AgentEvent> {
    const queue = new EventQueue<AgentEvent>();
    this.drive(req, (e) => queue.push(e))
      .catch((err: unknown) => {
        // The loop reports its own failures; this is the last net for a bug in it.
        // A session file that cannot be read or written says so itself (disk full, a folder in its place).
        const message =
          err instanceof SessionFileError
            ? err.message
            : `internal error: ${err instanceof Error ? err.message : String(err)}`;
        queue.push({ type: "error", message });
        queue.push({ type: "turn-end", reason: "error", text: "", usage: { ...ZERO }, iterations: 0 });
      })
      .finally(() => queue.close());
    return queue;
  }

  private async drive(req: TurnRequest, emit: (e: AgentEvent) => void): Promise<void> {
    const o = this.opts;
    const model = req.model ?? this.currentModel;
    const signal = req.signal ?? new AbortController().signal;
    emit({ type: "turn-start", sessionKey: req.sessionKey, provider: this.provider, model });

    const loaded = await o.sessions.load(req.sessionKey);
    for (const w of loaded.warnings) o.warn?.(w);
    if (o.prepareTools) {
      // Every turn: MCP servers that failed are retried (with backoff). Turns running at the
      // same time share one preparation.
      this.toolsReady ??= o.prepareTools().finally(() => {
        this.toolsReady = undefined;
      });
      await this.toolsReady;
    }
    const system = await (o.buildSystem ?? buildSystemPrompt)({
      workspace: o.workspace,
      ...(o.timezone ? { timezone: o.timezone } : {}),
      ...(req.origin ? { origin: req.origin } : {}),
    });
    // A stopped turn asked again (replayed after a restart) goes on from the stored user message.
    const resumed = resumeAborted(loaded.messages, req.input);
    const session = resumed ?? loaded.messages;
    let shrunk = false;
    let pending: Message[] = resumed ? [] : [{ role: "user", content: req.input }];
    const transcript: Message[] = [];
    let total: Usage = { ...ZERO };
    let finalText = "";
    let reason: TurnEndReason = "stop";
    let iterations = 0;
    const maxIterations = req.maxIterations ?? o.maxIterations;
    const toolCtx: ToolContext = {
      workspace: o.workspace,
      restrictToWorkspace: o.restrictToWorkspace,
      signal,
      sessionKey: req.sessionKey,
      ...(req.origin ? { origin: req.origin } : {}),
      ...(req.interaction ? { interaction: req.interaction } : {}),
    };
    const flush = async () => {
      const batch = pending;
      pending = [];
      transcript.push(...batch);
      // This turn keeps its images (transcript); the session keeps a note in their place.
      await o.sessions.append(req.sessionKey, batch.map(forStorage));
    };

    try {
      for (;;) {
        if (iterations >= maxIterations) {
          reason = "max-iterations";
          finalText = maxIterationsMessage(maxIterations);
          emit({ type: "text-delta", text: finalText });
          pending.push({ role: "assistant", content: finalText });
          break;
        }
        iterations++;
        const turn = [...transcript, ...pending];
        const fit = await this.context.fit({
          sessionKey: req.sessionKey,
          session,
          system,
          tools: o.tools.specs(),
          turn,
          model,
        });
        const step = await this.step(
          { model, system, messages: fit.messages, signal, sessionKey: req.sessionKey },
          emit,
        );
        total = addUsage(total, step.usage);
        this.context.observe(req.sessionKey, fit.estimate, step.usage.input);
        if (step.overflow && !shrunk) {
          // One consolidation of everything before this turn, then one retry.
          shrunk = true;
          iterations--;
          await this.context.shrink(req.sessionKey, session, model);
          continue;
        }
        if (step.overflow) emit({ type: "error", message: tooLargeLine(turn, fit.budget) });
        if (step.error) {
          reason = signal.aborted ? "aborted" : "error";
          // Never stored as a finished answer: marked aborted, or incomplete when the stream broke.
          if (signal.aborted) pending.push(abortedReply(step.text));
          else if (step.text) pending.push(incompleteReply(step.text));
          finalText = step.text;
          break;
        }
        pending.push({
          role: "assistant",
          content: step.text,
          ...(step.toolCalls.length ? { toolCalls: step.toolCalls } : {}),
          ...(step.reasoning ? { reasoning: step.reasoning } : {}),
        });
        if (step.toolCalls.length === 0) {
          finalText = step.text;
          break;
        }
        const results = await this.runTools(step.toolCalls, toolCtx, emit);
        pending.push(...results);
        await flush();
        if (signal.aborted) {
          reason = "aborted";
          pending.push(abortedReply(""));
          break;
        }
      }
    } finally {
      await flush();
    }
    emit({ type: "turn-end", reason, text: finalText, usage: total, iterations });
  }

  private async step(
    r: { model: string; system: string; messages: Message[]; signal: AbortSignal; sessionKey: string },
    emit: (e: AgentEvent) => void,
  ): Promise<{
    text: string;
    reasoning: string;
    toolCalls: ToolCall[];
    usage: Usage;
    error: boolean;
    overflow: boolean;
  }> {
    const o = this.opts;
    let text = "";
    let reasoning = "";
    const toolCalls: ToolCall[] = [];
    let usage: Usage = { ...ZERO };
    let error = false;
    let overflow = false;
    const stream = o.provider.stream(
      {
        model: r.model,
        system: r.system,
        messages: r.messages,
        tools: o.tools.specs(),
        sessionKey: r.sessionKey,
        ...(o.maxTokens !== undefined ? { maxTokens: o.maxTokens } : {}),
        ...(o.temperature !== undefined ? { temperature: o.temperature } : {}),
        ...(o.reasoningEffort !== undefined ? { reasoningEffort: o.reasoningEffort } : {}),
      },
      r.signal,
    );
    for await (const ev of stream) {
      switch (ev.type) {
        case "text-delta":
          text += ev.text;
          emit(ev);
          break;
        case "reasoning-delta":
          reasoning += ev.text;
          emit(ev);
          break;
        case "tool-call":
          toolCalls.push({ id: ev.id, name: ev.name, args: ev.args });
          break;
        case "usage":
          usage = addUsage(usage, ev.usage);
          emit({ type: "usage", usage: ev.usage, provider: this.provider, model: r.model });
          await o.usage
            .record({ provider: this.provider, model: r.model, session: r.sessionKey, usage: ev.usage })
            .catch((err: Error) => o.warn?.(`could not record usage: ${err.message}`));
          break;
        case "retry":
          o.log?.(`retrying model call (attempt ${ev.attempt}, ${ev.reason}, fresh_retry=${ev.fresh})`);
          emit(ev);
          break;
        case "error":
          error = true;
          // The loop answers a context overflow itself: consolidate and retry, or name the culprit.
          overflow = isContextOverflow(ev.error);
          if (overflow) break;
          emit({
            type: "error",
            message: ev.error.message,
            code: ev.error.code,
            ...(ev.error.status !== undefined ? { status: ev.error.status } : {}),
            ...(ev.error.hint !== undefined ? { hint: ev.error.hint } : {}),
          });
          break;
        case "finish":
          break;
      }
    }
    return { text, reasoning, toolCalls, usage, error, overflow };
  }

  /** Runs one step's tool calls concurrently; results come back in call order. */
  private async runTools(
    calls: ToolCall[],
    ctx: ToolContext,
    emit: (e: AgentEvent) => void,
  ): Promise<Message[]> {
    return Promise.all(
      calls.map(async (call): Promise<Message> => {
        emit({ type: "tool-call-start", id: call.id, name: call.name, args: call.args });
        const result = ctx.signal.aborted
          ? { content: "aborted by the user before it ran", isError: true, durationMs: 0 }
          : await this.opts.tools.execute(call, ctx);
        emit({
          type: "tool-call-end",
          id: call.id,
          name: call.name,
          ok: !result.isError,
          output: clip(textOf(result.content), DISPLAY_OUTPUT_CHARS),
          durationMs: result.durationMs,
        });
        return {
          role: "tool",
          toolCallId: call.id,
          toolName: call.name,
          content: result.content,
          ...(result.isError ? { isError: true } : {}),
          // Kept in the session file with the result: what tools.approval decided, and who.
          ...(result.approval ? { approval: result.approval } : {}),
        };
      }),
    );
  }
}
