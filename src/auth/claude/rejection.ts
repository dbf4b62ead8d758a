/**
 * Anthropic refuses a subscription token outside its own apps with a 4xx (seen as 400
 * invalid_request_error, and as 401/403) whose message says the credential is only authorized
 * for use with Claude Code and cannot be used for other API requests.
 */
const RESTRICTED = /only authorized for use with|cannot be used for other API requests/i;

export function isSubscriptionRejection(status: number | undefined, message: string): boolean {
  return status !== undefined && status >= 400 && status < 500 && RESTRICTED.test(message);
}

/** What `agent` says instead (one line: the message, then the hint after "; "). */
export const SUBSCRIPTION_REJECTED = {
  message:
    "Anthropic refused the Claude subscription token: its terms allow subscription tokens only in Anthropic's own apps",
  hint: "use an API key instead: set ANTHROPIC_API_KEY and KAVILO_ANTHROPIC_OAUTH_DISABLED=1 (or run kavilo auth claude logout)",
} as const;
