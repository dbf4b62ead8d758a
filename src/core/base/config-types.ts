/**
 * The config types, for the modules that may use only core's leaf helpers (providers, auth).
 * Types only: the zod schema itself stays in core/config/schema.ts.
 */
export type {
  Config,
  McpServerConfig,
  ProviderConfig,
  SlackConfig,
  TelegramConfig,
} from "../config/schema.js";
