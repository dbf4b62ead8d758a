import { describe, expect, it } from "vitest";
import { isSecretKey, REDACTED, redactSecrets, redactString } from "../../src/core/redact.js";

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
});
