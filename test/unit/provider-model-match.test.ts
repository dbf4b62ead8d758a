import { describe, expect, it } from "vitest";
import { applyEnvOverlays } from "../../src/core/config/overlay.js";
import { configSchema } from "../../src/core/config/schema.js";
import { resolveProviderOffline } from "../../src/providers/resolve.js";
import { matchModelToSpec } from "../../src/providers/specs.js";

describe("matching a model name to a provider (providers/specs.ts)", () => {
  it("a known provider prefix wins over keywords; an unknown prefix falls back to keywords", () => {
    expect(matchModelToSpec("deepseek/claude-like")).toMatchObject({
      spec: { name: "deepseek" },
      by: "prefix",
      prefix: "deepseek",
    });
    expect(matchModelToSpec("vendorx/Claude-Sonnet")).toMatchObject({
      spec: { name: "anthropic" },
      by: "keyword",
    });
    expect(matchModelToSpec("/gpt-5")).toMatchObject({ spec: { name: "openai" }, by: "keyword" });
    expect(matchModelToSpec("mystery-model")).toBeUndefined();
    expect(matchModelToSpec(undefined)).toBeUndefined();
  });

  it("accept narrows both steps", () => {
    const noDeepseek = (s: { name: string }) => s.name !== "deepseek";
    expect(matchModelToSpec("deepseek/gpt-5", noDeepseek)).toMatchObject({
      spec: { name: "openai" },
      by: "keyword",
    });
    expect(matchModelToSpec("deepseek-chat", noDeepseek)).toBeUndefined();
  });

  it("the env overlay and auto resolution pick the same provider for KAVILO_API_KEY and the model", () => {
    for (const model of ["claude-sonnet-5-5", "deepseek/deepseek-chat", "gpt-5"]) {
      const { config } = applyEnvOverlays(configSchema.parse({}), {
        KAVILO_MODEL: model,
        KAVILO_API_KEY: "k",
      });
      const target = Object.entries(config.providers).find(([, p]) => p?.apiKey === "k")?.[0];
      expect(resolveProviderOffline(config)?.name, model).toBe(target);
      expect(target, model).toBe(matchModelToSpec(model)?.spec.name);
    }
  });
});
