/**
 * Lines for the TUI's transcript from code that runs outside React (an MCP step-up login printing
 * its URL). Lines pushed before the app subscribes are kept until it does.
 */
export interface NoticeFeed {
  push(line: string): void;
  subscribe(listener: (line: string) => void): () => void;
}

export function createNoticeFeed(): NoticeFeed {
  const early: string[] = [];
  let listener: ((line: string) => void) | undefined;
  return {
    push(line) {
      if (listener) listener(line);
      else early.push(line);
    },
    subscribe(next) {
      listener = next;
      for (const line of early.splice(0)) next(line);
      return () => {
        if (listener === next) listener = undefined;
      };
    },
  };
}
