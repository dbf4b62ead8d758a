import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseConfig } from "../../src/core/config/load.js";
import { applyEnvOverlays } from "../../src/core/config/overlay.js";
import { configJsonSchema } from "../../src/core/config/schema.js";
import { resolveProvider, resolveProviderOffline } from "../../src/providers/resolve.js";
import { tempHome } from "../helpers/cli.js";

const parse = (raw: unknown) => parseConfig(raw, "/x/config.json");

describe("config schema", () => {
  it("fills defaults for an empty file", () => {
    const { config, warnings } = parse({});
    expect(warnings).toEqual([]);
    expect(config.agents.defaults).toMatchObject({
      provider: "auto",
      maxTokens: 8192,
      maxToolIterations: 20,
    });
    expect(config.tools.restrictToWorkspace).toBe(true);
    expect(config.tools.exec).toEqual({ timeout: 60, scrubEnv: false, scrubEnvExtra: [] });
    expect(config.runtime.heartbeat).toMatchObject({ enabled: false, intervalS: 1800 });
    expect(config.channels.slack.replyInThread).toBe(true);
    expect(config.codex).toEqual({ enabled: true, refreshIntervalS: 3600, refreshLeadS: 86_400 });
  });

  it("names the key path and what was expected", () => {
    let err: unknown;
    try {
      parse({ agents: { defaults: { maxTokens: "lots" } } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const ce = err as ConfigError;
    expect(ce.keyPath).toBe("agents.defaults.maxTokens");
    expect(ce.message).toContain("/x/config.json");
    expect(ce.message).toMatch(/expected number/);
  });

  it("reports an enum problem with the allowed values", () => {
    expect(() => parse({ channels: { slack: { groupPolicy: "everyone" } } })).toThrow(
      /channels\.slack\.groupPolicy.*"mention"/,
    );
  });

  it("warns about unknown keys and keeps parsing", () => {
    const { config, warnings } = parse({ agents: { defaults: { modle: "x", maxTokens: 10 } }, extra: 1 });
    expect(config.agents.defaults.maxTokens).toBe(10);
    expect(warnings).toHaveLength(2);
    expect(warnings.join("\n")).toContain("agents.defaults.modle");
    expect(warnings.join("\n")).toContain("extra");
  });

  it("produces a JSON Schema", () => {
    const schema = configJsonSchema() as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(["agents", "providers", "channels", "tools", "runtime", "codex", "aws"]),
    );
  });

  it("loadConfig: invalid JSON is a ConfigError and the file is untouched", () => {
    const dir = tempHome();
    const file = join(dir, "config.json");
    writeFileSync(file, '{"agents": {');
    expect(() => loadConfig(file)).toThrow(/not valid JSON/);
    expect(() => loadConfig(file)).toThrow(ConfigError);
  });
});

describe("env overlays", () => {
  const base = parse({
    agents: { defaults: { model: "file-model" } },
    providers: { openai: { apiKey: "file" } },
  }).config;

  it("env wins over the file, and the input is not modified", () => {
    const { config, applied } = applyEnvOverlays(base, {
      KAVILO_MODEL: "gpt-5",
      OPENAI_API_KEY: "sk-env",
      KAVILO_WORKSPACE: "/w",
    });
    expect(config.agents.defaults.model).toBe("gpt-5");
    expect(config.providers.openai?.apiKey).toBe("sk-env");
    expect(config.agents.defaults.workspace).toBe("/w");
    expect(applied).toEqual(["KAVILO_MODEL", "KAVILO_WORKSPACE", "OPENAI_API_KEY"]);
    expect(base.providers.openai?.apiKey).toBe("file");
  });

  it("KAVILO_PROVIDER + KAVILO_API_BASE + KAVILO_API_KEY target that provider", () => {
    const { config } = applyEnvOverlays(parse({}).config, {
      KAVILO_PROVIDER: "anthropic",
      KAVILO_API_BASE: "http://127.0.0.1:9999",
      KAVILO_API_KEY: "k",
      KAVILO_MODEL: "claude-x",
    });
    expect(config.agents.defaults.provider).toBe("anthropic");
    expect(config.providers.anthropic).toMatchObject({ apiKey: "k", apiBase: "http://127.0.0.1:9999" });
  });

  it("KAVILO_API_BASE alone means a custom OpenAI-compatible endpoint", () => {
    const { config } = applyEnvOverlays(parse({}).config, {
      KAVILO_API_BASE: "http://h/v1",
      KAVILO_MODEL: "m",
    });
    expect(config.agents.defaults.provider).toBe("custom");
    expect(resolveProviderOffline(config)).toMatchObject({
      name: "custom",
      apiBase: "http://h/v1",
      model: "m",
    });
  });
});

describe("provider auto-resolution", () => {
  const cfg = (raw: unknown) => parse(raw).config;

  it("1. an explicit provider/model prefix wins", () => {
    const r = resolveProviderOffline(
      cfg({
        agents: { defaults: { model: "deepseek/deepseek-chat" } },
        providers: { deepseek: { apiKey: "d" }, openai: { apiKey: "o" } },
      }),
    );
    expect(r).toMatchObject({ name: "deepseek", model: "deepseek-chat" });
  });

  it("2. model keywords", () => {
    const r = resolveProviderOffline(
      cfg({
        agents: { defaults: { model: "claude-sonnet-5-5" } },
        providers: { openai: { apiKey: "o" }, anthropic: { apiKey: "a" } },
      }),
    );
    expect(r).toMatchObject({ name: "anthropic", model: "claude-sonnet-5-5" });
  });

  it("3. the first provider with a key; a gateway keeps the vendor/model name", () => {
    const r = resolveProviderOffline(
      cfg({
        agents: { defaults: { model: "anthropic/claude-opus-4-5" } },
        providers: { openrouter: { apiKey: "r" } },
      }),
    );
    expect(r).toMatchObject({ name: "openrouter", model: "anthropic/claude-opus-4-5" });
  });

  it("falls back to a local Ollama when nothing is configured", async () => {
    const r = await resolveProvider({
      config: cfg({}),
      probeOllama: async () => ({ baseUrl: "http://127.0.0.1:5555", models: ["llama3.2"] }),
    });
    expect(r).toMatchObject({ name: "ollama", model: "llama3.2", apiBase: "http://127.0.0.1:5555/v1" });
  });

  it("with nothing at all, one line on how to fix it", async () => {
    await expect(resolveProvider({ config: cfg({}), probeOllama: async () => undefined })).rejects.toThrow(
      /ANTHROPIC_API_KEY.*ollama serve/,
    );
  });
});
