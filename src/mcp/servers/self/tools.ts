import { createConfigTools } from "./config-tools.js";
import { createInfoTools } from "./info-tools.js";
import { createLoginTools } from "./login-tools.js";
import type { SelfDeps, SelfTool } from "./self-tool.js";
import { createSendTool } from "./send-tool.js";
import { createSessionTools } from "./session-tools.js";

export { type SelfDeps, type SelfSend, type SelfTool, SelfToolError } from "./self-tool.js";

/** Every tool of `kavilo mcp serve self`, in the order a client lists them. */
export function createSelfTools(deps: SelfDeps): SelfTool[] {
  const [status, ...infoRest] = createInfoTools(deps);
  return [
    ...(status ? [status] : []),
    ...createSessionTools(deps),
    ...createConfigTools(deps),
    ...infoRest,
    createSendTool(deps),
    ...createLoginTools(deps),
  ];
}
