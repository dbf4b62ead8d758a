import type { OAuthClientProvider, OAuthDiscoveryState } from "@modelcontextprotocol/sdk/client/auth.js";
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from "@modelcontextprotocol/sdk/shared/auth.js";
import type { StoredClientInformation, StoredDiscovery } from "./token-file.js";

export interface LoginProviderInit {
  redirectUrl: string;
  state: string;
  /** Pre-registered client, or the one registered by the first half of the login. */
  clientInformation?: StoredClientInformation;
  codeVerifier?: string;
  discovery?: StoredDiscovery;
  /** A client an earlier login registered; used only if discovery finds the same authorization server. */
  reusableClient?: { client: StoredClientInformation; authorizationServerUrl: string };
}

/**
 * The SDK's auth() drives discovery, registration, PKCE and the token exchange; this
 * provider only holds what it hands over for one login, so the caller decides where it is stored.
 */
export class LoginOAuthProvider implements OAuthClientProvider {
  authorizationUrl: URL | undefined;
  savedTokens: OAuthTokens | undefined;
  private client: StoredClientInformation | undefined;
  private verifier: string | undefined;
  private discovery: StoredDiscovery | undefined;
  /** Set once the server refused the stored client: the retry must register a new one. */
  private reuseDropped = false;

  constructor(private readonly init: LoginProviderInit) {
    this.client = init.clientInformation;
    this.verifier = init.codeVerifier;
    this.discovery = init.discovery;
  }

  get redirectUrl(): string {
    return this.init.redirectUrl;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: "kavilo",
      redirect_uris: [this.init.redirectUrl],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    };
  }

  state(): string {
    return this.init.state;
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    // auth() asks after discovery, so the server found now can be compared with the stored one.
    const reusable = this.reuseDropped ? undefined : this.init.reusableClient;
    if (
      !this.client &&
      reusable &&
      sameUrl(reusable.authorizationServerUrl, this.discovery?.authorizationServerUrl)
    ) {
      this.client = { ...reusable.client };
    }
    return this.client;
  }

  saveClientInformation(info: OAuthClientInformationMixed): void {
    this.client = { ...info };
  }

  /** A login always asks anew; refreshing is getValidAccessToken's job. */
  tokens(): undefined {
    return undefined;
  }

  saveTokens(tokens: OAuthTokens): void {
    this.savedTokens = tokens;
  }

  redirectToAuthorization(authorizationUrl: URL): void {
    this.authorizationUrl = authorizationUrl;
  }

  saveCodeVerifier(codeVerifier: string): void {
    this.verifier = codeVerifier;
  }

  codeVerifier(): string {
    if (!this.verifier) throw new Error("no PKCE verifier: the login was not started");
    return this.verifier;
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.discovery = { ...state };
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.discovery;
  }

  invalidateCredentials(scope: "all" | "client" | "tokens" | "verifier" | "discovery"): void {
    if (scope === "all" || scope === "client") {
      this.client = undefined;
      this.reuseDropped = true;
    }
    if (scope === "all" || scope === "discovery") this.discovery = undefined;
    if (scope === "all" || scope === "tokens") this.savedTokens = undefined;
  }

  get storedClient(): StoredClientInformation | undefined {
    return this.client;
  }

  get storedDiscovery(): StoredDiscovery | undefined {
    return this.discovery;
  }
}

function sameUrl(a: string, b: string | undefined): boolean {
  if (!b) return false;
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return false;
  }
}
