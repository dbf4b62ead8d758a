import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { tempHome } from "../helpers/cli.js";

// Its own file: vi.resetModules gives the modules imported after it new identities (ConfigError too).

const BUILD = "test-build-lazy";
const home = tempHome("kavilo-config-cache-lazy-");
const writeConfig = (value: unknown) => writeFileSync(join(home, "config.json"), JSON.stringify(value));

describe("the validated-config cache keeps zod off a hit", () => {
  it("a hit does not load the parser (zod): the validator is never handed over in a fresh module graph", async () => {
    writeConfig({ agents: { defaults: { model: "gpt-file" } } });
    const first = await import("../../src/cli/context.js");
    const resolved = { home, profile: undefined, source: "env" as const, warnings: [] };
    (await first.createContext(resolved, {}, false, { buildId: BUILD })).config();
    vi.resetModules();
    const fresh = await import("../../src/cli/context.js");
    const slot = await import("../../src/core/config/validator-slot.js");
    const hit = await fresh.createContext(resolved, {}, false, { buildId: BUILD });
    expect(hit.config().config.agents.defaults.model).toBe("gpt-file");
    expect(slot.loadedConfigValidator()).toBeUndefined();
    // The same fresh graph with a changed file loads it: the check above can see a load.
    writeConfig({ agents: { defaults: { model: "changed" } } });
    const miss = await fresh.createContext(resolved, {}, false, { buildId: BUILD });
    expect(miss.config().config.agents.defaults.model).toBe("changed");
    expect(slot.loadedConfigValidator()).toBeTypeOf("function");
  });

  it("config.json changed by someone else after a hit started: the start's config, and --debug says so", async () => {
    writeConfig({ agents: { defaults: { model: "at-start" } } });
    const resolved = { home, profile: undefined, source: "env" as const, warnings: [] };
    vi.resetModules();
    (
      await (await import("../../src/cli/context.js")).createContext(resolved, {}, false, { buildId: BUILD })
    ).config();
    vi.resetModules();
    const fresh = await import("../../src/cli/context.js");
    const slot = await import("../../src/core/config/validator-slot.js");
    const ctx = await fresh.createContext(resolved, {}, true, { buildId: BUILD });
    writeConfig({ agents: { defaults: { model: "edited-meanwhile" } } });
    const stderr: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      stderr.push(String(chunk));
      return true;
    });
    try {
      // Validating the new text would need zod synchronously; the process never loaded it.
      expect(ctx.config().config.agents.defaults.model).toBe("at-start");
    } finally {
      vi.restoreAllMocks();
    }
    expect(slot.loadedConfigValidator()).toBeUndefined();
    expect(stderr.join("")).toMatch(
      /^kavilo: .*config\.json changed after the command started; using the config it had then\n$/,
    );
  });
});
