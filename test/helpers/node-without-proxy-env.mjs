// Preloaded with --import: Node before 24.5, whose http.Agent ignores the proxyEnv option (so code
// relying on it would go around HTTPS_PROXY there). Tests run on a newer Node; this takes it away.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
for (const name of ["node:http", "node:https"]) {
  const mod = require(name);
  const Base = mod.Agent;
  mod.Agent = class extends Base {
    constructor(options) {
      const { proxyEnv: _ignored, ...rest } = options ?? {};
      super(rest);
    }
  };
}
