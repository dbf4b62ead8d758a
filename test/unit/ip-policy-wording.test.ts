import { describe, expect, it } from "vitest";
import { blockedAddressPhrase } from "../../src/core/tools/ip-policy.js";
import { vetHost } from "../../src/core/tools/pinned-fetch.js";

describe("refusal wording", () => {
  it("says 'an unspecified address', not 'a unspecified address'", async () => {
    await expect(vetHost(new URL("http://[::]:8080/"), { allowPrivate: false })).rejects.toThrow(
      ":: is an unspecified address",
    );
    await expect(
      vetHost(new URL("http://zero.example/"), {
        allowPrivate: false,
        lookup: async () => [{ address: "::", family: 6 }],
      }),
    ).rejects.toThrow("resolves to ::, an unspecified address");
  });

  it.each([
    ["loopback", "a loopback address"],
    ["unique-local", "a unique-local address"],
    ["IETF protocol assignments", "an IETF protocol assignments address"],
    ["not an IP address", "not an IP address"],
  ])("%s reads as '%s'", (reason, phrase) => {
    expect(blockedAddressPhrase(reason)).toBe(phrase);
  });
});
