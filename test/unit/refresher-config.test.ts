import { describe, expect, it } from "vitest";
import { configSchema } from "../../src/core/config/schema.js";

describe("codex and aws config sections", () => {
  it("default to 3600/86400 and 300/600 and accept intervals and leads down to 1 s", () => {
    const d = configSchema.parse({});
    expect(d.codex).toEqual({ enabled: true, refreshIntervalS: 3600, refreshLeadS: 86_400 });
    expect(d.aws).toEqual({ enabled: true, refreshIntervalS: 300, refreshLeadS: 600 });
    const small = configSchema.parse({
      codex: { refreshIntervalS: 1, refreshLeadS: 1 },
      aws: { refreshIntervalS: 1, refreshLeadS: 1 },
    });
    expect(small.codex.refreshIntervalS).toBe(1);
    expect(small.aws.refreshLeadS).toBe(1);
    expect(configSchema.safeParse({ codex: { refreshIntervalS: 0 } }).success).toBe(false);
    expect(configSchema.safeParse({ aws: { refreshLeadS: 0.5 } }).success).toBe(false);
  });
});
