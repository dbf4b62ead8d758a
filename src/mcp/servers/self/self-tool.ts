import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import type * as z from "zod";
import type { Paths } from "../../../core/base/paths.js";
import type { OutboundMessage } from "../../../core/bus/types.js";
import type { Config } from "../../../core/config/schema.js";

/** Delivers one message through a running channel; only `kavilo start` has one. */
export type SelfSend = (msg: OutboundMessage) => Promise<void>;

/** What the self tools read and call. Injected, so the tools never reach into the CLI. */
export interface SelfDeps {
  /** Paths that do not depend on config.json: cron, usage, mcp-auth. */
  basePaths: Paths;
  /** config.json with env overlays, and the paths with the configured workspace. Throws on a bad file. */
  config(): { config: Config; paths: Paths };
  /** The report of `kavilo status --json`. */
  status(): Promise<unknown>;
  /** Present when a channel runtime lives in this process; otherwise `kavilo start` sends via the outbox. */
  send?: SelfSend;
  /** How long to wait for `kavilo start` to confirm a send; default 15 s. */
  outboxTimeoutMs?: number;
  now?: () => Date;
  /** Whose secret-named variables are masked in every answer; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** For the OAuth logins (tests point it at a loopback server; default: global fetch). */
  fetchFn?: FetchLike;
  /** Where the login's browser is sent back to; default: the mcp-oauth default redirect. */
  loginRedirectUrl?: string;
}

/**
 * One tool, transport-neutral: the MCP server and the in-process agent adapter both register
 * these. The handler returns JSON-able data; the caller redacts it before it leaves.
 */
export interface SelfTool<S extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  input: S;
  /** Reads state only. */
  readOnly: boolean;
  /** Talks to something outside this machine (a chat, an authorization server). */
  openWorld?: boolean;
  handler(args: z.infer<S>): Promise<unknown>;
}

/** A failure meant for the caller: its message is the whole error result. */
export class SelfToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SelfToolError";
  }
}

/** Type-checks a handler against its input schema. */
export function defineSelfTool<S extends z.ZodObject>(tool: SelfTool<S>): SelfTool<S> {
  return tool;
}
