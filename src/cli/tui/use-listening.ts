import { useEffect, useState } from "react";

/**
 * True once the component's keys work. ink attaches a `useInput` listener in an effect that runs
 * after the first frame is drawn, so a key pressed in between is lost. Call this after `useInput`:
 * effects run in order, so it turns true right after the listener is attached, and a prompt can
 * show its key hint only then.
 */
export function useListening(): boolean {
  const [listening, setListening] = useState(false);
  useEffect(() => setListening(true), []);
  return listening;
}
