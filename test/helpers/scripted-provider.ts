import type { ChatRequest, Provider, StreamEvent } from "../../src/providers/types.js";

export type Script = (
  req: ChatRequest,
  signal: AbortSignal | undefined,
  call: number,
) => AsyncGenerator<StreamEvent>;

/** An in-process provider (kavilo's own interface, no SDK involved) driven by a script. */
export function scripted(script: Script): Provider & { requests: ChatRequest[] } {
  const requests: ChatRequest[] = [];
  return {
    id: "scripted",
    requests,
    stream(req, signal) {
      requests.push(structuredClone(req));
      return script(req, signal, requests.length - 1);
    },
  };
}
