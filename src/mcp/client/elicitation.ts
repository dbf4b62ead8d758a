import { AsyncLocalStorage } from "node:async_hooks";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { ElicitRequestSchema, type ElicitResult } from "@modelcontextprotocol/sdk/types.js";
import type { ElicitationResult, ElicitationSchema, Interaction } from "../../core/agent/interaction.js";

/** One tool call in flight: who may be asked for it, and what to tell the model afterwards. */
export interface CallScope {
  interaction?: Interaction | undefined;
  signal: AbortSignal;
  /** One line per server request answered during the call, appended to the tool result. */
  notes: string[];
}

/**
 * Connections are shared across turns, so a server's `elicitation/create` is routed to the turn
 * whose tool call is in flight: the async context of `callTool` when the request arrives on the
 * call's own response stream, else (the standalone stream) the one call running on that connection.
 * With several running, nobody is asked: guessing could show one user another user's request.
 */
export interface CallRouter {
  run<T>(scope: CallScope, fn: () => Promise<T>): Promise<T>;
  current(): CallScope | undefined;
}

export function createCallRouter(): CallRouter {
  const store = new AsyncLocalStorage<CallScope>();
  const inflight = new Set<CallScope>();
  return {
    async run(scope, fn) {
      inflight.add(scope);
      try {
        return await store.run(scope, fn);
      } finally {
        inflight.delete(scope);
      }
    },
    current() {
      const mine = store.getStore();
      if (mine && inflight.has(mine)) return mine;
      return inflight.size === 1 ? [...inflight][0] : undefined;
    },
  };
}

/** What the model reads about one elicitation; the user's answers themselves stay out of it. */
function noteOf(alias: string, message: string, result: ElicitationResult | undefined, why = ""): string {
  const asked = `[MCP server "${alias}" asked the user: "${message}"`;
  if (!result) return `${asked} — declined: ${why}]`;
  if (result.action !== "accept")
    return `${asked} — ${result.action === "decline" ? "declined" : "cancelled"}]`;
  const fields = Object.keys(result.content);
  return `${asked} — accepted${fields.length ? ` (${fields.join(", ")})` : " with the defaults"}]`;
}

const NOBODY =
  "nobody can answer in this run (use the interactive chat, or kavilo agent -m --yes to accept the server's defaults)";

/** Answers the server's form-mode `elicitation/create` through the calling turn's Interaction. */
export function installElicitation(client: Client, alias: string, router: CallRouter): void {
  client.setRequestHandler(ElicitRequestSchema, async (request, extra): Promise<ElicitResult> => {
    const params = request.params;
    const call = router.current();
    if (params.mode === "url") {
      call?.notes.push(noteOf(alias, params.message, undefined, "kavilo answers form requests only"));
      return { action: "decline" };
    }
    const interaction = call?.interaction;
    if (!call || !interaction?.elicit) {
      call?.notes.push(noteOf(alias, params.message, undefined, NOBODY));
      return { action: "decline" };
    }
    const schema = params.requestedSchema as ElicitationSchema;
    const signal = AbortSignal.any([call.signal, extra.signal]);
    const result = await interaction.elicit({ server: alias, message: params.message, schema }, signal);
    call.notes.push(noteOf(alias, params.message, result));
    // Accepted fields the user left alone get the schema's defaults from the SDK (applyDefaults).
    return result;
  });
}
