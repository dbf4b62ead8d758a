import { type Provider, ProviderError, type ProviderErrorCode, type StreamEvent } from "./types.js";

/** A provider that cannot work in this build or setup; its stream is one explanatory error. */
export function unavailableProvider(
  id: string,
  message: string,
  code: ProviderErrorCode = "bad_request",
  hint?: string,
): Provider {
  return {
    id,
    async *stream(): AsyncGenerator<StreamEvent> {
      const error = new ProviderError(message, { code, provider: id, ...(hint ? { hint } : {}) });
      yield { type: "error", error, retryable: false };
    },
  };
}
