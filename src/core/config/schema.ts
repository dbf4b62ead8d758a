import * as z from "zod";
import { isSafeMcpAlias } from "../base/mcp-alias.js";
import { expandMcpServerVars } from "./mcp-vars.js";

// Parse without generated code: zod compiles a fast path for each object schema with new Function
// on first use, which costs more than it saves in a short-lived command.
z.config({ jitless: true });

// Every object is strict so unknown keys surface as `unrecognized_keys` issues;
// load.ts turns those into warnings and keeps the keys in the file.

const providerConfig = z.strictObject({
  apiKey: z.string().optional().describe("API key. Prefer the provider's env variable."),
  apiBase: z.string().optional().describe("Base URL, e.g. http://127.0.0.1:11434/v1"),
  extraHeaders: z.record(z.string(), z.string()).optional().describe("Headers sent with every request"),
});

/** Whether this runtime's Intl knows the time zone (an IANA name such as Europe/Berlin, or UTC). */
function isKnownTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const agentDefaults = z.strictObject({
  model: z.string().optional().describe("Model name; may be prefixed with a provider: anthropic/claude-..."),
  provider: z.string().default("auto").describe('Provider name, or "auto" to resolve from model and keys'),
  maxTokens: z.number().int().positive().default(8192),
  temperature: z.number().min(0).max(2).optional(),
  workspace: z.string().optional().describe("Workspace directory; default <home>/workspace"),
  maxToolIterations: z.number().int().positive().default(20),
  reasoningEffort: z.enum(["low", "medium", "high"]).optional(),
  timezone: z
    .string()
    .refine(isKnownTimeZone, {
      error: (issue) => `unknown time zone "${String(issue.input)}": use an IANA name such as Europe/Berlin`,
    })
    .optional()
    .describe("IANA time zone for the agent's clock; default: the system's"),
  contextWindow: z
    .number()
    .int()
    .positive()
    .optional()
    .describe("The model's context window in tokens; default: known models' value, else 128000"),
  contextBudget: z
    .number()
    .gt(0)
    .max(1)
    .default(0.5)
    .describe("Share of the context window one request's prompt may use (minus maxTokens)"),
  memory: z
    .boolean()
    .default(true)
    .describe("Consolidate old turns into MEMORY.md and memory/HISTORY.md; false drops them"),
  memoryModel: z.string().optional().describe("A cheaper model just for memory consolidation"),
});

const telegramConfig = z.strictObject({
  enabled: z.boolean().default(false),
  token: z.string().optional().describe("Bot token from @BotFather"),
  allowFrom: z.array(z.string()).default([]).describe('User ids or usernames, or "*" for everyone'),
  groupPolicy: z.enum(["mention", "open"]).default("mention"),
  apiRoot: z.string().optional().describe("Bot API server; default https://api.telegram.org"),
  proxy: z.string().optional(),
});

const slackConfig = z.strictObject({
  enabled: z.boolean().default(false),
  botToken: z.string().optional().describe("xoxb-... bot token"),
  appToken: z.string().optional().describe("xapp-... app-level token for Socket Mode"),
  groupPolicy: z.enum(["mention", "open", "allowlist"]).default("mention"),
  groupAllowFrom: z
    .array(z.string())
    .default([])
    .describe("Channel ids answered under groupPolicy allowlist"),
  allowFrom: z.array(z.string()).default([]).describe('Slack user ids, or "*"'),
  replyInThread: z.boolean().default(true),
  allowBots: z.boolean().default(false).describe("Answer other bots' messages"),
  apiUrl: z.string().optional().describe("Web API base, e.g. https://slack.com/api/"),
});

const mcpAuth = z.strictObject({
  provider: z.enum(["slack", "oauth", "bearer"]).describe("slack | oauth (kavilo mcp login) | bearer"),
  teamId: z.string().optional(),
  label: z.string().optional(),
  tokenFile: z.string().optional().describe("bearer: file whose content is the token, read per request"),
});

const mcpCommon = {
  enabled: z.boolean().default(true),
  disabled: z
    .boolean()
    .optional()
    .describe("As Claude Desktop, Cursor and Cline write it: true means enabled false"),
  autoApprove: z
    .array(z.string())
    .optional()
    .describe("Cline's list; accepted and ignored (see tools.approval)"),
  alwaysAllow: z.array(z.string()).optional().describe("Older Cline's autoApprove; accepted and ignored"),
  timeout: z.number().positive().optional().describe("Cline's name for timeoutS (seconds); wins when set"),
  enabledTools: z.array(z.string()).optional().describe("Allow-list of tool names"),
  description: z.string().optional().describe("Prefixed to every tool of this server"),
  timeoutS: z.number().positive().default(30),
  auth: mcpAuth.optional(),
};

const mcpStdio = z.strictObject({
  type: z.literal("stdio").optional(),
  transportType: z.literal("stdio").optional().describe("Older Cline's name for type"),
  command: z.string(),
  args: z.array(z.string()).default([]),
  env: z.record(z.string(), z.string()).prefault({}),
  envFile: z
    .string()
    .optional()
    .describe(
      "Cursor's: a dotenv file whose variables the server also gets (env wins); read at each connect",
    ),
  cwd: z.string().optional(),
  ...mcpCommon,
});

const mcpHttp = z.strictObject({
  // A url alone means http (streamable HTTP); "sse" is the older SSE transport. Cline's names too.
  type: z.enum(["http", "sse", "streamable-http", "streamableHttp"]).default("http"),
  transportType: z.enum(["sse", "streamableHttp"]).optional().describe("Older Cline's name for type"),
  url: z.string().url(),
  headers: z.record(z.string(), z.string()).prefault({}),
  ...mcpCommon,
});

const mcpServerUnion = z.union([mcpHttp, mcpStdio], {
  error:
    'an MCP server is {"command": "...", "args": [...]} (stdio) or {"url": "https://..."} (http), with the keys in docs/configuration.md',
});

/**
 * One server as other tools write it, normalized: ${VAR} expanded from the environment, disabled
 * turned into enabled, and a remote server's type "http" with its transport kept apart.
 */
export const mcpServerSchema = z
  // A variable with no value is left as written; load.ts warns about it (missingMcpVarWarnings).
  .preprocess((entry) => expandMcpServerVars(entry, process.env).value, mcpServerUnion)
  .transform(({ disabled, autoApprove: _ignored, alwaysAllow: _alsoIgnored, timeout, ...entry }) => {
    const { transportType, ...server } = entry;
    const enabled = server.enabled && disabled !== true;
    const timeoutS = timeout ?? server.timeoutS;
    if (!("url" in server)) return { ...server, enabled, timeoutS };
    const { type, ...remote } = server;
    const transport: "sse" | undefined = type === "sse" || transportType === "sse" ? "sse" : undefined;
    return { ...remote, type: "http" as const, enabled, timeoutS, ...(transport ? { transport } : {}) };
  });

const toolsConfig = z.strictObject({
  mcpServers: z
    .record(z.string(), mcpServerSchema)
    .superRefine((servers, ctx) => {
      // An alias names its token file (mcp-auth/<alias>.json) and its tools: the same rule as safeAlias.
      for (const alias of Object.keys(servers)) {
        if (isSafeMcpAlias(alias)) continue;
        ctx.addIssue({
          code: "custom",
          path: [alias],
          message: `invalid MCP server alias "${alias}": use letters, digits, ".", "_" or "-" (not starting with ".")`,
        });
      }
    })
    .prefault({}),
  restrictToWorkspace: z.boolean().default(true),
  allowHardLinks: z
    .boolean()
    .default(false)
    .describe(
      "Let the file tools open files with more than one hard link (one may live outside the workspace)",
    ),
  exec: z
    .strictObject({
      timeout: z.number().positive().default(60).describe("Seconds"),
      scrubEnv: z
        .boolean()
        .default(true)
        .describe("Drop credential-looking variables from shell commands' environment; false turns it off"),
      scrubEnvExtra: z.array(z.string()).default([]).describe("More env name patterns to drop (globs)"),
      scrubEnvKeep: z
        .array(z.string())
        .default([])
        .describe(
          "Env names passed to shell commands even when they look like credentials, e.g. GITHUB_TOKEN",
        ),
      allow: z
        .array(z.string())
        .default([])
        .describe('Shell command patterns that never ask for approval (globs: "git status*", "ls*")'),
    })
    .prefault({}),
  approval: z
    .strictObject({
      mode: z
        .enum(["auto", "ask", "deny-risky"])
        .optional()
        .describe(
          "auto: run everything; ask: shell commands and writes outside the workspace ask first; deny-risky: refuse them. Unset: ask in the TUI and chats, auto in agent -m and cron",
        ),
      timeoutS: z.number().positive().default(300).describe("Seconds to wait for an answer; none means deny"),
      writeAllow: z
        .array(z.string())
        .default([])
        .describe("Paths outside the workspace that writes reach without asking (folders or globs)"),
    })
    .prefault({}),
  web: z
    .strictObject({
      search: z
        .strictObject({
          apiKey: z.string().optional().describe("Brave Search API key (or BRAVE_API_KEY)"),
          maxResults: z.number().int().positive().max(20).default(5),
          apiBase: z.string().optional(),
        })
        .prefault({}),
      fetch: z
        .strictObject({
          allowPrivate: z.boolean().default(false).describe("Allow loopback/private/metadata addresses"),
          maxChars: z.number().int().positive().default(50_000),
        })
        .prefault({}),
    })
    .prefault({}),
});

const heartbeatConfig = z.strictObject({
  enabled: z.boolean().default(false),
  intervalS: z.number().int().positive().default(1800),
  model: z.string().optional().describe("A cheaper model just for heartbeats"),
  target: z.strictObject({ channel: z.string(), chatId: z.string() }).optional(),
});

const runtimeConfig = z.strictObject({
  heartbeat: heartbeatConfig.prefault({}),
  maxConcurrentSessions: z.number().int().positive().default(4),
  shutdownDeadlineS: z.number().positive().default(10),
});

/** `kavilo auth claude login`: bring your own OAuth client; env KAVILO_ANTHROPIC_OAUTH_* wins. */
const claudeAuthConfig = z.strictObject({
  clientId: z.string().optional().describe("OAuth client id (none is built in)"),
  authorizeUrl: z.string().optional().describe("Default https://claude.ai/oauth/authorize"),
  tokenUrl: z.string().optional().describe("Default https://console.anthropic.com/v1/oauth/token"),
  revokeUrl: z.string().optional().describe("RFC 7009 revoke endpoint; none by default"),
  scopes: z.string().optional().describe('Space-separated; default "user:profile user:inference"'),
  redirectPort: z
    .number()
    .int()
    .min(0)
    .max(65_535)
    .optional()
    .describe("Loopback port of the redirect; default 0 (any free port)"),
});

const refresherConfig = (intervalS: number, leadS: number) =>
  z
    .strictObject({
      enabled: z.boolean().default(true),
      refreshIntervalS: z.number().int().positive().default(intervalS),
      refreshLeadS: z.number().int().positive().default(leadS),
    })
    .prefault({});

export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  agents: z.strictObject({ defaults: agentDefaults.prefault({}) }).prefault({}),
  providers: z.record(z.string(), providerConfig).prefault({}),
  channels: z
    .strictObject({
      telegram: telegramConfig.prefault({}),
      slack: slackConfig.prefault({}),
    })
    .prefault({}),
  tools: toolsConfig.prefault({}),
  runtime: runtimeConfig.prefault({}),
  codex: refresherConfig(3600, 86_400),
  aws: refresherConfig(300, 600),
  auth: z.strictObject({ claude: claudeAuthConfig.prefault({}) }).prefault({}),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type ProviderConfig = z.infer<typeof providerConfig>;
export type McpServerConfig = z.infer<typeof mcpServerSchema>;
export type TelegramConfig = z.infer<typeof telegramConfig>;
export type SlackConfig = z.infer<typeof slackConfig>;

/** JSON Schema of config.json, as `kavilo config schema` prints it. */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
}
