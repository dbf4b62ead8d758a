import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/core/config/load.js";
import { applyEnvOverlays } from "../../src/core/config/overlay.js";
import { loadConfig, parseConfig } from "../../src/core/config/parse.js";
import { configJsonSchema } from "../../src/core/config/schema.js";
import { keyHint, needsKey, resolveProvider, resolveProviderOffline } from "../../src/providers/resolve.js";
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
    expect(config.tools.exec).toMatchObject({
      timeout: 60,
      scrubEnv: true,
      scrubEnvExtra: [],
      scrubEnvKeep: [],
    });
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

  it("an MCP server with a url alone is http; a shape that is neither says what each needs", () => {
    const { config } = parse({ tools: { mcpServers: { zap: { url: "https://mcp.example.com/mcp" } } } });
    expect(config.tools.mcpServers.zap).toMatchObject({ type: "http", url: "https://mcp.example.com/mcp" });
    const stdio = parse({ tools: { mcpServers: { fs: { command: "npx" } } } }).config.tools.mcpServers.fs;
    expect(stdio).toMatchObject({ command: "npx", args: [] });
    expect(() => parse({ tools: { mcpServers: { odd: { cmd: "x" } } } })).toThrow(
      /tools\.mcpServers\.odd.*"command".*\(stdio\).*"url".*\(http\)/,
    );
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

  it("loadConfig: a config.json that is a directory is a ConfigError naming the file", () => {
    const file = join(tempHome(), "config.json");
    mkdirSync(file);
    expect(() => loadConfig(file)).toThrow(ConfigError);
    expect(() => loadConfig(file)).toThrow(`${file}: cannot read: it is a directory, not a file`);
  });

  // root reads any file whatever its mode; the directory case above runs everywhere.
  it.runIf(process.getuid?.() !== 0)(
    "loadConfig: an unreadable config.json is a ConfigError, file untouched",
    () => {
      const file = join(tempHome(), "config.json");
      writeFileSync(file, '{"agents": {}}');
      chmodSync(file, 0o000);
      try {
        expect(() => loadConfig(file)).toThrow(`${file}: cannot read: permission denied`);
      } finally {
        chmodSync(file, 0o600);
      }
      expect(readFileSync(file, "utf8")).toBe('{"agents": {}}');
    },
  );
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

  it("a bare vendor model whose vendor has no key is a clear error, not sent to another provider", async () => {
    const config = applyEnvOverlays(cfg({}), {
      OPENAI_API_KEY: "sk-x",
      KAVILO_MODEL: "claude-sonnet-4-6",
    }).config;
    const message =
      'model "claude-sonnet-4-6" is an anthropic model, but no Anthropic key is set (ANTHROPIC_API_KEY or providers.anthropic.apiKey)';
    expect(() => resolveProviderOffline(config)).toThrow(message);
    await expect(resolveProvider({ config, probeOllama: async () => undefined })).rejects.toThrow(message);
  });

  it("with no key at all, a local Ollama that has the vendor-named model still serves it", async () => {
    const r = await resolveProvider({
      config: cfg({ agents: { defaults: { model: "qwen3" } } }),
      probeOllama: async () => ({ baseUrl: "http://127.0.0.1:5555", models: ["llama3.2", "qwen3"] }),
    });
    expect(r).toMatchObject({ name: "ollama", model: "qwen3" });
  });

  it("names KAVILO_PROVIDER when the unknown provider came from it", () => {
    const env = { KAVILO_PROVIDER: "foo" };
    const config = applyEnvOverlays(cfg({}), env).config;
    expect(() => resolveProviderOffline(config, env)).toThrow('unknown provider "foo" in KAVILO_PROVIDER');
    expect(() => resolveProviderOffline(cfg({ agents: { defaults: { provider: "foo" } } }), {})).toThrow(
      "in agents.defaults.provider",
    );
  });

  it("records where the key came from, so auth hints name it", () => {
    const viaKavilo = { KAVILO_PROVIDER: "openai", KAVILO_API_KEY: "k-kavilo" };
    const a = resolveProviderOffline(applyEnvOverlays(cfg({}), viaKavilo).config, viaKavilo);
    expect(a).toMatchObject({ apiKey: "k-kavilo", keySource: "KAVILO_API_KEY" });
    expect(keyHint(a!)).toBe("KAVILO_API_KEY");
    const viaOwn = { OPENAI_API_KEY: "k-own" };
    const b = resolveProviderOffline(applyEnvOverlays(cfg({}), viaOwn).config, viaOwn);
    expect(b).toMatchObject({ keySource: "OPENAI_API_KEY" });
    expect(keyHint(b!)).toBe("OPENAI_API_KEY / providers.openai.apiKey");
    const c = resolveProviderOffline(cfg({ providers: { openai: { apiKey: "k-file" } } }), {});
    expect(c?.keySource).toBe("providers.openai.apiKey");
  });

  it("needs no key for a base URL off the vendor's host; the official host without one is an error", async () => {
    const env = { KAVILO_PROVIDER: "openai", KAVILO_API_BASE: "http://127.0.0.1:4444/v1", KAVILO_MODEL: "m" };
    const proxied = await resolveProvider({ config: applyEnvOverlays(cfg({}), env).config, env });
    expect(proxied).toMatchObject({ name: "openai", apiBase: "http://127.0.0.1:4444/v1", apiKey: undefined });
    expect(needsKey(proxied)).toBe(false);
    const official = { KAVILO_PROVIDER: "openai", KAVILO_MODEL: "m" };
    await expect(
      resolveProvider({ config: applyEnvOverlays(cfg({}), official).config, env: official }),
    ).rejects.toThrow("no API key for openai: set OPENAI_API_KEY or providers.openai.apiKey");
    const anthropic = { KAVILO_PROVIDER: "anthropic", KAVILO_API_BASE: "http://127.0.0.1:4444" };
    const a = await resolveProvider({ config: applyEnvOverlays(cfg({}), anthropic).config, env: anthropic });
    expect(a).toMatchObject({ name: "anthropic", apiKey: undefined });
    await expect(
      resolveProvider({ config: cfg({ agents: { defaults: { provider: "anthropic" } } }) }),
    ).rejects.toThrow("no API key for anthropic");
  });

  it("ollama with no model says how to set one and names the models the configured server has", async () => {
    const asked: (string | undefined)[] = [];
    const config = cfg({
      agents: { defaults: { provider: "ollama" } },
      providers: { ollama: { apiBase: "http://127.0.0.1:7777/v1" } },
    });
    await expect(
      resolveProvider({
        config,
        probeOllama: async (at) => {
          asked.push(at);
          return { baseUrl: "http://127.0.0.1:7777", models: ["llama3.2", "qwen3"] };
        },
      }),
    ).rejects.toThrow(
      "provider ollama has no default model; set a model: kavilo config set agents.defaults.model <name> or KAVILO_MODEL=<name> (ollama has: llama3.2, qwen3)",
    );
    expect(asked).toEqual(["http://127.0.0.1:7777"]);
    await expect(resolveProvider({ config, probeOllama: async () => undefined })).rejects.toThrow(
      /set a model: kavilo config set agents\.defaults\.model <name> or KAVILO_MODEL=<name>$/,
    );
  });

  it("with nothing at all, one line on how to fix it", async () => {
    await expect(resolveProvider({ config: cfg({}), probeOllama: async () => undefined })).rejects.toThrow(
      /ANTHROPIC_API_KEY.*ollama serve/,
    );
  });
});
