import { useCallback, useEffect, useRef, useState } from "react";

/** A second Ctrl-C within this window exits; the first only warns. */
export const EXIT_WINDOW_MS = 2000;

/** The "press Ctrl-C again to exit" guard on an empty prompt. */
export function useExitKeys(now: () => number) {
  const [hint, setHint] = useState<string | null>(null);
  const armedAt = useRef<number | null>(null);
  const timer = useRef<NodeJS.Timeout | null>(null);

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  /** Returns true when this press should exit. */
  const pressCtrlC = useCallback((): boolean => {
    const t = now();
    if (armedAt.current !== null && t - armedAt.current <= EXIT_WINDOW_MS) return true;
    armedAt.current = t;
    setHint("press Ctrl-C again to exit");
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      armedAt.current = null;
      setHint(null);
    }, EXIT_WINDOW_MS);
    return false;
  }, [now]);

  return { hint, pressCtrlC };
}
