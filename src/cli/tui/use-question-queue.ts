import { useMemo, useRef, useState } from "react";

export interface PendingQuestion<Req, Res> {
  /** Distinct per request, so each prompt starts fresh. */
  id: number;
  request: Req;
  answer(result: Res): void;
}

/**
 * One question at a time shown in place of the prompt (an MCP form, a tool approval): `ask`
 * resolves with the answer; requests arriving while one is open wait their turn; an aborted
 * signal (the turn stopped, the time is up) ends the open question with `onAbort`.
 */
export function useQuestionQueue<Req, Res>(
  onAbort: Res,
): { pending: PendingQuestion<Req, Res> | null; ask: (request: Req, signal: AbortSignal) => Promise<Res> } {
  const [pending, setPending] = useState<PendingQuestion<Req, Res> | null>(null);
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  const ids = useRef(0);
  const abortResult = useRef(onAbort);
  const ask = useMemo(
    () =>
      (request: Req, signal: AbortSignal): Promise<Res> => {
        const show = () =>
          new Promise<Res>((resolve) => {
            if (signal.aborted) return resolve(abortResult.current);
            const finish = (result: Res) => {
              signal.removeEventListener("abort", onAborted);
              setPending(null);
              resolve(result);
            };
            const onAborted = () => finish(abortResult.current);
            signal.addEventListener("abort", onAborted, { once: true });
            ids.current += 1;
            setPending({ id: ids.current, request, answer: finish });
          });
        const answered = queue.current.then(show, show);
        queue.current = answered;
        return answered;
      },
    [],
  );
  return { pending, ask };
}
