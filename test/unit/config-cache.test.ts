// biome-ignore-all lint/suspicious/noTemplateCurlyInString: config.json text holds ${VAR} as users write it
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type CliContext, createContext } from "../../src/cli/context.js";
import { ConfigError } from "../../src/core/config/load.js";
import { loadConfig } from "../../src/core/config/parse.js";
import { updateConfigFile } from "../../src/core/config/update-file.js";
import { tempHome } from "../helpers/cli.js";

// The validated-config cache, through the context as commands use it. Running from source there is
// no build id: each test injects one, as the build's define does.

const BUILD = "test-build-1";
let home: string;
let stderr: string[];
const configFile = () => join(home, "config.json");
const cacheFile = () => join(home, "cache", "config.json");

beforeEach(() => {
  home = tempHome("kavilo-config-cache-");
  stderr = [];
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr.push(String(chunk));
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

function context(
  opts: { buildId?: string | null; env?: NodeJS.ProcessEnv; debug?: boolean } = {},
): Promise<CliContext> {
  const buildId = opts.buildId === null ? undefined : (opts.buildId ?? BUILD);
  return createContext(
    { home, profile: undefined, source: "env", warnings: [] },
    opts.env ?? {},
    opts.debug ?? false,
    buildId === undefined ? {} : { buildId },
  );
}

const writeConfig = (value: unknown) => writeFileSync(configFile(), JSON.stringify(value, null, 2));
const cacheEntry = () => JSON.parse(readFileSync(cacheFile(), "utf8")) as Record<string, unknown>;

/** Rewrites the cached config's model, leaving its key alone: a run that reads this model used the cache. */
function markCachedModel(model: string): void {
  const entry = cacheEntry() as { config: { agents: { defaults: { model?: string } } } };
  entry.config.agents.defaults.model = model;
  writeFileSync(cacheFile(), JSON.stringify(entry));
}

describe("the validated-config cache", () => {
  it("a second run with the same config.json takes the validated config from the cache", async () => {
    writeConfig({ agents: { defaults: { model: "gpt-file" } } });
    expect((await context()).config().config.agents.defaults.model).toBe("gpt-file");
    expect(existsSync(cacheFile())).toBe(true);
    markCachedModel("from-the-cache");
    expect((await context()).config().config.agents.defaults.model).toBe("from-the-cache");
  });

  it("holds config.json's secrets: the file is 0600 in a 0700 folder", async () => {
    writeConfig({ providers: { openai: { apiKey: "sk-cache-mode-0123456789" } } });
    (await context()).config();
    expect(statSync(cacheFile()).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, "cache")).mode & 0o777).toBe(0o700);
  });

  it("gives what the parser gives, defaults, unknown-key warnings and the cleaned file included", async () => {
    writeConfig({
      agents: { defaults: { model: "gpt-4.1", timezone: "Europe/Berlin", extra: 1 } },
      providers: { openai: { apiKey: "sk-roundtrip-0123456789" } },
      tools: {
        mcpServers: {
          gh: { command: "npx", args: ["-y", "gh"], env: { T: "${T:-x}" }, disabled: true },
          remote: { url: "https://mcp.example.com/sse", type: "sse", timeout: 5 },
        },
      },
      channels: { telegram: { enabled: false, allowFrom: ["1"] } },
      mcpServers: {},
    });
    const parsed = loadConfig(configFile());
    const miss = (await context()).config().loaded;
    const hit = (await context()).config().loaded;
    for (const loaded of [miss, hit]) {
      expect(loaded.config).toStrictEqual(parsed.config);
      expect(loaded.warnings).toEqual(parsed.warnings);
      expect(loaded.cleaned).toStrictEqual(parsed.cleaned);
      expect(loaded.raw).toStrictEqual(parsed.raw);
      expect(loaded.exists).toBe(true);
    }
    expect(parsed.warnings).toHaveLength(2);
  });

  it("caches the defaults of a home with no config.json too", async () => {
    (await context()).config();
    expect(cacheEntry().source).toBeNull();
    markCachedModel("cached-default");
    const loaded = (await context()).config().loaded;
    expect(loaded.config.agents.defaults.model).toBe("cached-default");
    expect(loaded.exists).toBe(false);
  });

  it("a changed config.json is validated again: new values, and the cache rewritten", async () => {
    writeConfig({ agents: { defaults: { model: "first" } } });
    (await context()).config();
    writeConfig({ agents: { defaults: { model: "second" } } });
    expect((await context()).config().config.agents.defaults.model).toBe("second");
    expect(String(cacheEntry().source)).toContain('"second"');
  });

  it("an invalid config.json is never cached: each run reports its ConfigError from config(), as loadConfig does", async () => {
    writeConfig({ agents: { defaults: { model: "valid" } } });
    (await context()).config();
    const before = readFileSync(cacheFile(), "utf8");
    writeConfig({ agents: { defaults: { maxTokens: "many" } } });
    let expected: unknown;
    try {
      loadConfig(configFile());
    } catch (err) {
      expected = err;
    }
    expect(expected).toBeInstanceOf(ConfigError);
    for (let run = 0; run < 2; run++) {
      // The context is made: a command that never asks for the config still runs.
      const ctx = await context();
      expect(() => ctx.config()).toThrow(ConfigError);
      expect(() => ctx.config()).toThrow((expected as Error).message);
    }
    expect(readFileSync(cacheFile(), "utf8")).toBe(before);
  });

  it("a broken file (not JSON, a __proto__ key) is reported on every run even when a cache exists", async () => {
    writeConfig({});
    (await context()).config();
    for (const text of ["{ not json", '{"providers":{"__proto__":{"apiKey":"sk-x"}}}']) {
      writeFileSync(configFile(), text);
      const ctx = await context();
      expect(() => ctx.config()).toThrow(ConfigError);
    }
  });

  for (const [what, corrupt] of [
    ["not JSON", () => writeFileSync(cacheFile(), "{ torn")],
    ["another build's", () => writeFileSync(cacheFile(), JSON.stringify({ ...cacheEntry(), build: "old" }))],
    ["another file's", () => writeFileSync(cacheFile(), JSON.stringify({ ...cacheEntry(), file: "/x" }))],
    ["of the wrong shape", () => writeFileSync(cacheFile(), JSON.stringify({ ...cacheEntry(), config: 1 }))],
    ["an empty file", () => writeFileSync(cacheFile(), "")],
  ] as const) {
    it(`a cache that is ${what} is ignored and rewritten`, async () => {
      writeConfig({ agents: { defaults: { model: "real" } } });
      (await context()).config();
      corrupt();
      expect((await context()).config().config.agents.defaults.model).toBe("real");
      expect(cacheEntry().build).toBe(BUILD);
      expect(cacheEntry().file).toBe(configFile());
    });
  }

  it("a cache written by another build is not trusted", async () => {
    writeConfig({ agents: { defaults: { model: "real" } } });
    (await context({ buildId: "build-a" })).config();
    markCachedModel("build-a-said");
    expect((await context({ buildId: "build-b" })).config().config.agents.defaults.model).toBe("real");
    expect(cacheEntry().build).toBe("build-b");
  });

  it("is off without a build id (running from source): nothing is written", async () => {
    writeConfig({ agents: { defaults: { model: "src" } } });
    expect((await context({ buildId: null })).config().config.agents.defaults.model).toBe("src");
    expect(existsSync(join(home, "cache"))).toBe(false);
  });

  it("a cache that cannot be written never fails the command; --debug says so in one line", async () => {
    writeConfig({ agents: { defaults: { model: "m" } } });
    // A file where the folder goes (running as root, a read-only mode would not stop the write).
    writeFileSync(join(home, "cache"), "not a folder");
    expect((await context()).config().config.agents.defaults.model).toBe("m");
    expect(stderr.join("")).toBe("");
    expect((await context({ debug: true })).config().config.agents.defaults.model).toBe("m");
    const lines = stderr.join("").split("\n").filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^kavilo: config cache not written: /);
  });

  // Root writes into a 0500 folder anyway: the case above covers it there.
  it.runIf(process.getuid?.() !== 0)("a read-only cache folder never fails the command either", async () => {
    writeConfig({ agents: { defaults: { model: "m" } } });
    mkdirSync(join(home, "cache"), { mode: 0o500 });
    chmodSync(join(home, "cache"), 0o500);
    expect((await context()).config().config.agents.defaults.model).toBe("m");
    expect(existsSync(cacheFile())).toBe(false);
  });

  it("writes nothing into the user's own home when it is the profile home (KAVILO_HOME=~)", async () => {
    writeConfig({ agents: { defaults: { model: "m" } } });
    vi.stubEnv("HOME", home);
    expect((await context()).config().config.agents.defaults.model).toBe("m");
    expect(existsSync(join(home, "cache"))).toBe(false);
  });

  it("creates no profile home: a home that does not exist yet gets no cache", async () => {
    home = join(home, "not-yet");
    expect((await context()).config().loaded.exists).toBe(false);
    expect(existsSync(home)).toBe(false);
  });
});

describe("the environment on a cache hit", () => {
  it("env overlays (KAVILO_MODEL) still apply over the cached config", async () => {
    writeConfig({ agents: { defaults: { model: "file-model" } } });
    (await context()).config();
    const ctx = await context({ env: { KAVILO_MODEL: "env-model" } });
    expect(ctx.config().config.agents.defaults.model).toBe("env-model");
    expect(ctx.config().applied).toEqual(["KAVILO_MODEL"]);
    expect(ctx.config().loaded.config.agents.defaults.model).toBe("file-model");
  });

  it("a ${VAR} an MCP server takes from the environment: this run's value, never written to the cache", async () => {
    writeConfig({ tools: { mcpServers: { api: { url: "https://mcp.example.com/${CACHE_TEST_PATH}" } } } });
    const urlOf = async () => {
      const ctx = await context();
      const server = ctx.config().config.tools.mcpServers.api as { url: string };
      return server.url;
    };
    vi.stubEnv("CACHE_TEST_PATH", "secret-one");
    expect(await urlOf()).toBe("https://mcp.example.com/secret-one");
    expect(existsSync(cacheFile())).toBe(false);
    vi.stubEnv("CACHE_TEST_PATH", "secret-two");
    expect(await urlOf()).toBe("https://mcp.example.com/secret-two");
    expect(stderr.join("")).toBe("");
    // Unset, the config holds only what the file says: cached, and the warning is each run's own.
    vi.stubEnv("CACHE_TEST_PATH", undefined);
    for (let run = 0; run < 2; run++) {
      stderr = [];
      const ctx = await context();
      expect(ctx.config().loaded.warnings).toEqual([
        expect.stringMatching(/^tools\.mcpServers\.api in .* uses \$\{CACHE_TEST_PATH\}, which is not set/),
      ]);
      expect(stderr.join("")).toContain("uses ${CACHE_TEST_PATH}, which is not set");
    }
    expect(readFileSync(cacheFile(), "utf8")).not.toContain("secret-");
    // Set again: the cached copy (with the variable unexpanded) is not used, and is removed.
    vi.stubEnv("CACHE_TEST_PATH", "secret-three");
    expect(await urlOf()).toBe("https://mcp.example.com/secret-three");
    expect(existsSync(cacheFile())).toBe(false);
  });

  it("a secret moved out of config.json into a ${VAR} leaves no copy of it in the cache", async () => {
    const server = (token: string) => ({
      tools: { mcpServers: { gh: { command: "gh-mcp", env: { GITHUB_TOKEN: token }, disabled: true } } },
    });
    writeConfig(server("ghp-literal-in-the-file-0123456789"));
    (await context()).config();
    expect(readFileSync(cacheFile(), "utf8")).toContain("ghp-literal-in-the-file");
    // The user keeps the token out of the file from now on.
    writeConfig(server("${CACHE_TEST_TOKEN}"));
    vi.stubEnv("CACHE_TEST_TOKEN", "ghp-from-the-environment");
    const env = (await context()).config().config.tools.mcpServers.gh as { env: Record<string, string> };
    expect(env.env.GITHUB_TOKEN).toBe("ghp-from-the-environment");
    expect(existsSync(cacheFile())).toBe(false);
  });

  it("removes no file when the cache is off (KAVILO_HOME=~: ~/cache/config.json is the user's)", async () => {
    writeConfig({ tools: { mcpServers: { api: { url: "https://mcp.example.com/${CACHE_TEST_PATH}" } } } });
    mkdirSync(join(home, "cache"));
    writeFileSync(cacheFile(), "the user's own file");
    vi.stubEnv("CACHE_TEST_PATH", "x");
    vi.stubEnv("HOME", home);
    (await context()).config();
    expect(readFileSync(cacheFile(), "utf8")).toBe("the user's own file");
  });

  it("warnings print once per run, hit or miss, and muteConfigWarnings still mutes them", async () => {
    writeConfig({ agents: { defaults: { unknownThing: 1 } } });
    for (let run = 0; run < 2; run++) {
      stderr = [];
      const ctx = await context();
      ctx.config();
      ctx.config();
      expect(stderr.filter((l) => l.includes("unknown key agents.defaults.unknownThing"))).toHaveLength(1);
    }
    stderr = [];
    const muted = await context();
    muted.muteConfigWarnings?.();
    expect(muted.config().loaded.warnings).toHaveLength(1);
    expect(stderr.join("")).toBe("");
  });
});

describe("config.json written after the command started", () => {
  it("is read at the first config(): a command that writes it (onboard) sees what it wrote", async () => {
    writeConfig({ agents: { defaults: { model: "before" } } });
    (await context()).config();
    const ctx = await context();
    await updateConfigFile(configFile(), (raw) => {
      raw.agents = { defaults: { model: "written" } };
    });
    expect(ctx.config().config.agents.defaults.model).toBe("written");
  });

  it("an invalid value written after the start is reported by config()", async () => {
    writeConfig({});
    (await context()).config();
    const ctx = await context();
    writeConfig({ agents: { defaults: { maxTokens: -1 } } });
    expect(() => ctx.config()).toThrow(ConfigError);
  });
});
