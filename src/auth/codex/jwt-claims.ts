import { decodeJwt, type JWTPayload } from "jose";

/** The claims of a JWT, or undefined when the string is not one (decoding never verifies). */
export function jwtClaims(token: string | undefined): JWTPayload | undefined {
  if (!token) return undefined;
  try {
    return decodeJwt(token);
  } catch {
    return undefined;
  }
}

const AUTH_CLAIM = "https://api.openai.com/auth";
const PROFILE_CLAIM = "https://api.openai.com/profile";

function record(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() ? value : undefined;
}

/** What OpenAI's tokens say about the ChatGPT account: its id, plan and email. */
export interface ChatGptClaims {
  accountId?: string;
  plan?: string;
  email?: string;
}

export function chatGptClaims(payload: JWTPayload | undefined): ChatGptClaims {
  if (!payload) return {};
  const auth = record(payload[AUTH_CLAIM]);
  const profile = record(payload[PROFILE_CLAIM]);
  return {
    accountId: text(auth?.chatgpt_account_id),
    plan: text(auth?.chatgpt_plan_type),
    email: text(payload.email) ?? text(profile?.email),
  };
}

/** The `exp` claim as a Date. */
export function expiryOf(payload: JWTPayload | undefined): Date | undefined {
  return typeof payload?.exp === "number" ? new Date(payload.exp * 1000) : undefined;
}
