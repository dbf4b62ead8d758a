/**
 * Arguments a model streamed as JSON text. Empty means no arguments; text that is not JSON
 * becomes `{_raw: text}` so the tool layer can report the bad call back to the model.
 */
export function parseToolArgs(text: string): unknown {
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { _raw: text };
  }
}
