import { createHash, randomBytes } from "node:crypto";

/**
 * PKCE (RFC 7636) with the S256 method, and the `state` that ties a redirect to the login that
 * asked for it. Generic: any authorization-code login in src/auth uses these.
 */
export interface Pkce {
  /** 43 characters of base64url from 32 random bytes: inside RFC 7636's 43..128 range. */
  verifier: string;
  /** BASE64URL(SHA256(verifier)). */
  challenge: string;
  method: "S256";
}

/** The S256 challenge of a verifier. */
export function s256Challenge(verifier: string): string {
  return createHash("sha256").update(verifier, "ascii").digest("base64url");
}

export function createPkce(): Pkce {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: s256Challenge(verifier), method: "S256" };
}

/** An unguessable state value, distinct from the verifier (the verifier never leaves this process). */
export function randomState(): string {
  return randomBytes(24).toString("base64url");
}
