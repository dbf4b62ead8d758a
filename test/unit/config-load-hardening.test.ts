import { existsSync, mkdtempSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, ensureWorkspaceDir } from "../../src/core/config/load.js";
import { loadConfig } from "../../src/core/config/parse.js";
import { updateConfigFile } from "../../src/core/config/update-file.js";

const dir = () => mkdtempSync(join(tmpdir(), "kavilo-cfg-load-"));

describe("__proto__, constructor and prototype anywhere in config.json", () => {
  for (const [name, text] of [
    ["a record", '{"tools":{"mcpServers":{"__proto__":{"url":"http://127.0.0.1:1/mcp"}}}}'],
    ["providers", '{"providers":{"__proto__":{"apiKey":"sk-abcdefghijklmnop1234"}}}'],
    ["an object", '{"agents":{"defaults":{"constructor":{"model":"evil"}}}}'],
    ["an array element", '{"tools":{"exec":{"allow":[{"prototype":1}]}}}'],
  ] as const) {
    it(`is a config error naming the key (${name}), not silently dropped`, () => {
      const file = join(dir(), "config.json");
      writeFileSync(file, text);
      let error: unknown;
      try {
        loadConfig(file);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toMatch(
        /the key (__proto__|constructor|prototype) is not allowed/,
      );
      expect((error as ConfigError).keyPath).toMatch(/(__proto__|constructor|prototype)$/);
    });
  }

  it("a value written by config set cannot bring one in either, and nothing is written", async () => {
    const file = join(dir(), "config.json");
    writeFileSync(file, "{}");
    const value = JSON.parse('{"__proto__":{"url":"http://127.0.0.1:1/mcp"}}') as unknown;
    await expect(
      updateConfigFile(file, (raw) => {
        raw.tools = { mcpServers: value };
      }),
    ).rejects.toThrow(/tools\.mcpServers\.__proto__: the key __proto__ is not allowed/);
    expect(loadConfig(file).raw).toEqual({});
  });

  it("a value nested too deep is refused by config set too", async () => {
    const file = join(dir(), "config.json");
    let deep: unknown = 1;
    for (let i = 0; i < 5000; i++) deep = [deep];
    await expect(
      updateConfigFile(file, (raw) => {
        raw.agents = { defaults: { model: deep } };
      }),
    ).rejects.toThrow(/nested more than 64 levels deep/);
    expect(existsSync(file)).toBe(false);
  });
});

describe("byte-order marks", () => {
  it("UTF-8's is accepted; UTF-16's is named, not 'not valid JSON'", () => {
    const file = join(dir(), "config.json");
    const json = '{"agents":{"defaults":{"model":"bom-model"}}}';
    writeFileSync(file, `\uFEFF${json}`);
    expect(loadConfig(file).config.agents.defaults.model).toBe("bom-model");
    for (const bom of [Buffer.from([0xff, 0xfe]), Buffer.from([0xfe, 0xff])]) {
      writeFileSync(file, Buffer.concat([bom, Buffer.from(json, "utf16le")]));
      expect(() => loadConfig(file)).toThrow(/config\.json: it is UTF-16 text .*save it as UTF-8/);
    }
  });
});

describe("a config.json that is far too large", () => {
  it("is a config error naming the file and its size, not read into memory", () => {
    const file = join(dir(), "config.json");
    writeFileSync(file, "{}");
    truncateSync(file, 64 * 2 ** 20);
    expect(() => loadConfig(file)).toThrow(
      /config\.json: cannot read: it is 64 MB; a config\.json is at most 4 MB/,
    );
  });
});

describe.runIf(process.platform === "linux" && existsSync("/proc/self"))("ensureWorkspaceDir", () => {
  it("a folder the file system refuses (/proc/x/y) is a config error at once, not a spin", async () => {
    const started = Date.now();
    await expect(ensureWorkspaceDir("/proc/kavilo-no-such/ws", "/x/config.json")).rejects.toThrow(
      /\/x\/config\.json at agents\.defaults\.workspace: cannot create the workspace \/proc\/kavilo-no-such\/ws/,
    );
    expect(Date.now() - started).toBeLessThan(2000);
  }, 10_000);

  it("still makes every missing folder, 0700", async () => {
    const ws = join(dir(), "a", "b", "ws");
    await ensureWorkspaceDir(ws, "/x/config.json");
    const { statSync } = await import("node:fs");
    expect(statSync(ws).isDirectory()).toBe(true);
    expect(statSync(join(ws, "..")).mode & 0o777).toBe(0o700);
  });
});
