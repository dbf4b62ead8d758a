import { describe, expect, it } from "vitest";
import { isSecretKey, REDACTED, redactSecrets, redactString } from "../../src/core/base/redact.js";

describe("redactSecrets (the one sanitizer)", () => {
  it("masks values under secret keys, at any depth", () => {
    const out = redactSecrets({
      channels: { telegram: { token: "abc", enabled: true }, slack: { botToken: "b", appToken: "a" } },
      providers: { openai: { apiKey: "k", apiBase: "http://x" } },
      tools: { mcpServers: { s: { headers: { Authorization: "Bearer zzz" }, env: { FOO_API_KEY: "v" } } } },
      auth: { access_token: "t", refresh_token: "r", client_secret: "c", webhookSecret: "w" },
    });
    expect(out.channels.telegram).toEqual({ token: REDACTED, enabled: true });
    expect(out.channels.slack).toEqual({ botToken: REDACTED, appToken: REDACTED });
    expect(out.providers.openai).toEqual({ apiKey: REDACTED, apiBase: "http://x" });
    expect(out.tools.mcpServers.s.headers.Authorization).toBe(REDACTED);
    expect(out.tools.mcpServers.s.env.FOO_API_KEY).toBe(REDACTED);
    expect(Object.values(out.auth)).toEqual([REDACTED, REDACTED, REDACTED, REDACTED]);
  });

  it("keeps token counts", () => {
    for (const k of ["maxTokens", "inputTokens", "output_tokens", "tokens", "total_tokens"]) {
      expect(isSecretKey(k), k).toBe(false);
    }
    expect(redactSecrets({ maxTokens: 8192, usage: { tokens: 5 } })).toEqual({
      maxTokens: 8192,
      usage: { tokens: 5 },
    });
  });

  it("masks token-shaped strings anywhere", () => {
    const text = [
      "key sk-proj-abcdefghijklmnop",
      "slack xoxb-123456-abcdefgh",
      "app xapp-1-A0-123456789",
      "tg 123456789:AAEabcdefghijklmnopqrstuvwxyz012345",
      "Authorization: Bearer abc.def.ghi123",
    ].join("\n");
    const out = redactString(text);
    for (const secret of ["sk-proj-abc", "xoxb-123456", "xapp-1-A0", "AAEabcdef", "abc.def.ghi123"]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain("Bearer [REDACTED]");
  });

  it("masks secrets that sit inside text: a shell result of `cat config.json`, env files, headers", () => {
    const text = [
      "$ cat config.json",
      '{ "providers": { "deepseek": { "apiKey": "plain-deepseek-fixture-secret-7781" } },',
      '  "gemini": {"api_key":"gemini-plain-value-0042"}, "maxTokens": 4096 }',
      "OPENAI_API_KEY=plainEnvSecret123",
      "db_password: 'yamlQuoted-Secret9'",
      "webhookSecret: yamlPlainSecret8",
      "curl 'https://x.example/v1?access_token=querySecret77&page=2'",
      "Authorization: Basic dXNlcjpodW50ZXIy",
      '"authorization": "Token headerTokenValue5"',
      'nested: {\\"refresh_token\\":\\"escapedRefresh66\\"}',
      "gemini AIzaSyA1234567890abcdefghijklmnopqrstuv brave BSAkR4nd0mBr4veSearchK3y0001",
      "anthropic sk-ant-api03-abcdefghij github_pat_11ABCDEFG0123456789_abcdefghij",
      "slack xoxp-1234-abcdefgh xoxe-1-abcdefghij app xapp-1-A0-123456789 aws AKIAABCDEFGHIJKLMNOP",
      "bot 98765:AAEabcdefghijklmnopqrstuvwxyz012345",
      "$ local-mcp --token cliFlagSecret42 --verbose --api-key=cliInlineSecret43",
    ].join("\n");
    const out = redactString(text);
    for (const secret of [
      "plain-deepseek-fixture-secret-7781",
      "gemini-plain-value-0042",
      "plainEnvSecret123",
      "yamlQuoted-Secret9",
      "yamlPlainSecret8",
      "querySecret77",
      "dXNlcjpodW50ZXIy",
      "headerTokenValue5",
      "escapedRefresh66",
      "AIzaSy",
      "BSAkR4nd0m",
      "sk-ant-api03",
      "github_pat_11",
      "xoxp-1234",
      "xoxe-1",
      "xapp-1",
      "AKIAABCD",
      "AAEabcdef",
      "cliFlagSecret42",
      "cliInlineSecret43",
    ]) {
      expect(out, secret).not.toContain(secret);
    }
    // What is not secret stays readable, and the shape of the text is kept.
    expect(out).toContain('"apiKey": "[REDACTED]"');
    expect(out).toContain('"maxTokens": 4096');
    expect(out).toContain("Authorization: Basic [REDACTED]");
    expect(out).toContain('"authorization": "Token [REDACTED]"');
    expect(out).toContain("&page=2");
    expect(out).toContain("--token [REDACTED] --verbose");
    // Redacting twice changes nothing.
    expect(redactString(out)).toBe(out);
  });

  it("leaves ordinary text with key-like words alone", () => {
    const text = "tokens: 1200, max_tokens=4096, model: gpt-4o, the token is valid: yes, ls --all -l /tmp";
    expect(redactString(text)).toBe(text);
  });

  it("stays linear on long texts without separators (a base64 blob, a run of -a-a-a)", () => {
    const blob = Array.from({ length: 400_000 }, (_, i) => "abcXYZ019+/"[i % 11]).join("");
    const started = performance.now();
    redactString(blob);
    redactString("-a".repeat(100_000));
    redactString('"apiKey": "' + "x".repeat(200_000));
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
