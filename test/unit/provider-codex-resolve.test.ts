import { describe, expect, it } from "vitest";
import { applyEnvOverlays } from "../../src/core/config/overlay.js";
import { configSchema } from "../../src/core/config/schema.js";
import { resolveProvider } from "../../src/providers/resolve.js";

const config = (raw: object) => configSchema.parse(raw);
const codex = { agents: { defaults: { provider: "openai_codex" } } };

describe("resolving openai_codex", () => {
  it("needs no API key and defaults to the Codex backend and gpt-5.5", async () => {
    const r = await resolveProvider({ config: config(codex), env: {} });
    expect(r).toMatchObject({
      name: "openai_codex",
      model: "gpt-5.5",
      apiKey: undefined,
      apiBase: "https://chatgpt.com/backend-api/codex",
    });
  });

  it("providers.openai_codex.apiBase and KAVILO_API_BASE (which wins) override the base", async () => {
    const withBase = config({
      ...codex,
      providers: { openai_codex: { apiBase: "https://proxy.example/codex" } },
    });
    expect((await resolveProvider({ config: withBase, env: {} })).apiBase).toBe(
      "https://proxy.example/codex",
    );
    const env = { KAVILO_API_BASE: "http://127.0.0.1:9999/backend-api/codex" };
    const overlaid = applyEnvOverlays(withBase, env).config;
    expect((await resolveProvider({ config: overlaid, env })).apiBase).toBe(env.KAVILO_API_BASE);
  });
});
