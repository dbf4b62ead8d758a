import * as z from "zod";
import {
  EndpointUnreachableError,
  postTokenJson,
  type TokenPostAnswer,
  type TokenPostOptions,
} from "../token-post.js";
import type { AwsEnv } from "./config-file.js";

/** A refresh that SSO-OIDC refused (`rejected`: log in again) or that did not go through (`failed`). */
export class AwsSsoError extends Error {
  constructor(
    readonly kind: "rejected" | "failed",
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = "AwsSsoError";
  }
}

/** `AWS_ENDPOINT_URL_SSO_OIDC` (the AWS SDKs' per-service override), else the regional endpoint. */
export function ssoOidcEndpoint(env: AwsEnv, region: string): string {
  const override = env.AWS_ENDPOINT_URL_SSO_OIDC?.trim();
  return (override || `https://oidc.${region}.amazonaws.com`).replace(/\/+$/, "");
}

const createTokenResponse = z.looseObject({
  accessToken: z.string().min(1),
  expiresIn: z.number().positive(),
  refreshToken: z.string().min(1).nullish(),
  tokenType: z.string().nullish(),
});

export type CreateTokenResponse = z.infer<typeof createTokenResponse>;

/** Errors after which the same refresh token or client registration will never work. */
const LOGIN_AGAIN = new Set([
  "InvalidGrantException",
  "ExpiredTokenException",
  "InvalidClientException",
  "UnauthorizedClientException",
  "AccessDeniedException",
]);

/** The error type: the `x-amzn-errortype` header (before any `:`), else the body's `__type`/`error`. */
function errorType(res: TokenPostAnswer, body: string): string | undefined {
  const header = res.headers.get("x-amzn-errortype")?.split(":")[0]?.trim();
  if (header) return header;
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const type = parsed.__type ?? parsed.error;
    if (typeof type === "string") return type.split("#").pop();
  } catch {
    // not JSON
  }
  return undefined;
}

export interface CreateTokenInput {
  session: string;
  region: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

/**
 * SSO-OIDC CreateToken with the refresh-token grant: `POST <endpoint>/token`, JSON
 * `{clientId, clientSecret, grantType: "refresh_token", refreshToken}` (restJson1, unsigned).
 * No token or secret reaches an error message.
 */
export async function createSsoToken(
  env: AwsEnv,
  input: CreateTokenInput,
  opts: TokenPostOptions = {},
): Promise<CreateTokenResponse> {
  const url = `${ssoOidcEndpoint(env, input.region)}/token`;
  let res: TokenPostAnswer;
  try {
    res = await postTokenJson(
      url,
      {
        clientId: input.clientId,
        clientSecret: input.clientSecret,
        grantType: "refresh_token",
        refreshToken: input.refreshToken,
      },
      opts,
    );
  } catch (err) {
    if (err instanceof EndpointUnreachableError) throw new AwsSsoError("failed", err.message);
    throw err;
  }
  const body = res.text;
  if (!res.ok) {
    const type = errorType(res, body);
    if (type && (LOGIN_AGAIN.has(type) || /invalid_grant|expired/i.test(type))) {
      throw new AwsSsoError(
        "rejected",
        `SSO-OIDC refused the refresh (${type}): run \`aws sso login --sso-session ${input.session}\``,
        type,
      );
    }
    throw new AwsSsoError("failed", `SSO-OIDC answered HTTP ${res.status}${type ? ` ${type}` : ""}`, type);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new AwsSsoError("failed", "SSO-OIDC answered with something that is not JSON");
  }
  const tokens = createTokenResponse.safeParse(parsed);
  if (!tokens.success)
    throw new AwsSsoError("failed", "SSO-OIDC answered without an access token or expiresIn");
  return tokens.data;
}
