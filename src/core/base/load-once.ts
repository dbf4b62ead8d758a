/**
 * `load` run at the first call, its promise shared by every later caller; a failure is forgotten, so
 * the next call tries again (a lazily imported module, a tool's implementation).
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= load().catch((err: unknown) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
}
