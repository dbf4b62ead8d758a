import { installEnvProxy } from "../core/base/env-proxy.js";
import { resolveHome } from "../core/home.js";
import { createContext } from "./context.js";
import type { ContextDeps } from "./invoke.js";

/**
 * The context's modules for the fast path, imported statically: its command always builds the
 * context, and each dynamic import is a module job of its own (~1 ms of the one-shot for three).
 */
export const staticContextDeps = async (): Promise<ContextDeps> => ({
  installEnvProxy,
  resolveHome,
  createContext,
});
