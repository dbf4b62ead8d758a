/**
 * Runs `load` with the global fetch hidden, then puts it back exactly as it was.
 *
 * yoga-layout (ink's layout engine) fetches its inlined WebAssembly through a data: URL when
 * fetch exists. Node's fetch is a lazy getter whose first use loads all of undici (HTTP/1, HTTP/2,
 * proxy agents), about 45 ms before the TUI's first frame. Without fetch, yoga decodes the same
 * inlined bytes itself. The descriptor is read, never the value, so undici stays unloaded.
 */
export async function withoutFetch<T>(load: () => Promise<T>): Promise<T> {
  const saved = Object.getOwnPropertyDescriptor(globalThis, "fetch");
  if (!saved?.configurable) return load();
  Object.defineProperty(globalThis, "fetch", { value: undefined, configurable: true, writable: true });
  try {
    return await load();
  } finally {
    Object.defineProperty(globalThis, "fetch", saved);
  }
}
