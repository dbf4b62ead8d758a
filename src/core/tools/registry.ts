import type * as z from "zod";
import type { ContentPart, ToolSpec } from "../../providers/types.js";
import { loadOnce } from "../base/load-once.js";
import type { ApprovalRecord, ToolGate } from "./approval-gate.js";
import { inputSchemaOf } from "./input-schema.js";
import { isLazyTool, type LazyTool } from "./lazy-tool.js";
import { type Tool, type ToolContext, ToolError } from "./types.js";

export interface ToolCallRequest {
  id: string;
  name: string;
  args: unknown;
}

export interface ToolExecution {
  content: string | ContentPart[];
  isError: boolean;
  durationMs: number;
  /** What tools.approval decided about this call, when it was a risky one. */
  approval?: ApprovalRecord;
}

/** A tool that brings its own JSON Schema (MCP tools do), used as-is instead of converting its zod schema. */
export type ToolWithInputSchema = Tool & { inputSchema: Record<string, unknown> };

export function hasInputSchema(tool: Tool): tool is ToolWithInputSchema {
  const schema: unknown = (tool as { inputSchema?: unknown }).inputSchema;
  return typeof schema === "object" && schema !== null && !Array.isArray(schema);
}

function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `- ${issue.path.length > 0 ? issue.path.join(".") : "(arguments)"}: ${issue.message}`)
    .join("\n");
}

/** A registered tool: one ready to run, or one loaded on its first call (a built-in, a self tool). */
export type RegisteredTool = Tool | LazyTool;

function jsonSchemaOf(tool: RegisteredTool): Record<string, unknown> {
  if (isLazyTool(tool) || hasInputSchema(tool)) return tool.inputSchema;
  return inputSchemaOf(tool.parameters);
}

/** The tools one agent can call, by unique name. */
export class ToolRegistry {
  private readonly tools = new Map<string, RegisteredTool>();
  /** How each lazy tool is loaded, by name: once, and again after a failure. */
  private readonly loaders = new Map<string, () => Promise<Tool>>();
  /** JSON Schema conversion is the costliest part of a model call's set-up; done once per registry change. */
  private cachedSpecs: ToolSpec[] | undefined;
  private gate: ToolGate | undefined;

  constructor(tools: Iterable<RegisteredTool> = []) {
    for (const tool of tools) this.register(tool);
  }

  /** Adds a tool; a second tool with the same name is an error, never a silent replacement. */
  register(tool: RegisteredTool): void {
    if (this.tools.has(tool.name)) throw new Error(`A tool named "${tool.name}" is already registered`);
    this.tools.set(tool.name, tool);
    this.cachedSpecs = undefined;
  }

  /** Removes a tool (an MCP server's tools change when it reconnects); false when absent. */
  unregister(name: string): boolean {
    const had = this.tools.delete(name);
    this.loaders.delete(name);
    if (had) this.cachedSpecs = undefined;
    return had;
  }

  /** Sets the check every call passes before it runs (tools.approval): one place for every tool. */
  setGate(gate: ToolGate | undefined): void {
    this.gate = gate;
  }

  get(name: string): RegisteredTool | undefined {
    return this.tools.get(name);
  }

  list(): RegisteredTool[] {
    return [...this.tools.values()];
  }

  specs(): ToolSpec[] {
    this.cachedSpecs ??= this.list().map((tool) => ({
      name: tool.name,
      description: tool.description,
      parameters: jsonSchemaOf(tool),
    }));
    return this.cachedSpecs;
  }

  /** Runs one call; every failure (unknown tool, bad arguments, a throw) comes back as an error result. */
  async execute(call: ToolCallRequest, ctx: ToolContext): Promise<ToolExecution> {
    let started = performance.now();
    const done = (content: string | ContentPart[], isError: boolean): ToolExecution => ({
      content,
      isError,
      durationMs: performance.now() - started,
    });
    const registered = this.tools.get(call.name);
    if (!registered) {
      const known = [...this.tools.keys()].join(", ") || "none";
      return done(`Unknown tool "${call.name}". Available tools: ${known}`, true);
    }
    let tool: Tool;
    try {
      tool = await this.ready(registered);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return done(`${call.name} could not be loaded: ${message}`, true);
    }
    const parsed = tool.parameters.safeParse(call.args ?? {});
    if (!parsed.success) {
      return done(`Invalid arguments for ${call.name}:\n${formatIssues(parsed.error)}`, true);
    }
    let approval: ApprovalRecord | undefined;
    if (this.gate) {
      const verdict = await this.gate(call.name, parsed.data, ctx).catch(
        (err: unknown) =>
          ({ run: false, message: `Not run: the approval check failed: ${(err as Error).message}` }) as const,
      );
      if (!verdict.run) {
        return {
          ...done(verdict.message, true),
          ...("record" in verdict ? { approval: verdict.record } : {}),
        };
      }
      approval = verdict.record;
      // The time a question waited for its answer is not the tool's.
      started = performance.now();
    }
    const withApproval = (e: ToolExecution): ToolExecution => (approval ? { ...e, approval } : e);
    try {
      const result = await tool.run(parsed.data, ctx);
      if (typeof result === "string") return withApproval(done(result, false));
      return withApproval(done(result.content, result.isError ?? false));
    } catch (err) {
      if (err instanceof ToolError) return withApproval(done(err.message, true));
      const message = err instanceof Error ? err.message : String(err);
      return withApproval(done(`${call.name} failed: ${message}`, true));
    }
  }

  /** The tool itself: a lazy one is loaded on its first call; a failed load is tried again next call. */
  private ready(tool: RegisteredTool): Promise<Tool> {
    if (!isLazyTool(tool)) return Promise.resolve(tool);
    let load = this.loaders.get(tool.name);
    if (!load) {
      load = loadOnce(() => tool.load());
      this.loaders.set(tool.name, load);
    }
    return load();
  }
}
