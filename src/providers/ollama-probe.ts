/** Where a local Ollama listens: OLLAMA_HOST (as Ollama itself reads it) or 127.0.0.1:11434. */
export function ollamaBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const host = env.OLLAMA_HOST?.trim();
  if (!host) return "http://127.0.0.1:11434";
  const withScheme = /^https?:\/\//.test(host) ? host : `http://${host}`;
  return withScheme.replace(/\/+$/, "");
}

/**
 * Asks an Ollama (at `at`, else where OLLAMA_HOST says) for its models. Undefined when nothing
 * answers within `timeoutMs`.
 */
export async function probeOllama(
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 400,
  at?: string,
): Promise<{ baseUrl: string; models: string[] } | undefined> {
  const baseUrl = at?.replace(/\/+$/, "") || ollamaBaseUrl(env);
  try {
    const res = await fetch(`${baseUrl}/api/tags`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return undefined;
    const body = (await res.json()) as { models?: Array<{ name?: string; model?: string }> };
    return { baseUrl, models: (body.models ?? []).map((m) => m.name ?? m.model ?? "").filter(Boolean) };
  } catch {
    return undefined;
  }
}
