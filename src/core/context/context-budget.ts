/** Context windows of known model families, in tokens; the first matching prefix wins. */
const KNOWN_WINDOWS: readonly [RegExp, number][] = [
  [/^gpt-4\.1/, 1_047_576],
  [/^gpt-5/, 400_000],
  [/^(o1|o3|o4)/, 200_000],
  [/^gpt-4o|^gpt-4-turbo|^chatgpt-4o/, 128_000],
  [/^gpt-4(?!\.)/, 8_192],
  [/^gpt-3\.5/, 16_385],
  [/^codex/, 400_000],
  [/claude/, 200_000],
  [/^gemini-(1\.5|2|3)/, 1_048_576],
  [/^deepseek/, 128_000],
  [/^(llama-?3|llama3)/, 128_000],
  [/^qwen/, 128_000],
  [/^(mistral|mixtral|codestral)/, 128_000],
  [/^grok/, 256_000],
  [/^kimi|^moonshot/, 256_000],
];

export const DEFAULT_CONTEXT_WINDOW = 128_000;
export const DEFAULT_CONTEXT_SHARE = 0.5;
/** A budget never goes below this, whatever the settings: a prompt needs room for a turn. */
const MIN_BUDGET = 2_048;

/** The context window of a model: the configured value, else the known family's, else 128k. */
export function contextWindowOf(model: string, configured?: number): number {
  if (configured) return configured;
  // "anthropic/claude-..." and "openrouter/openai/gpt-4o": the name after the last slash decides.
  const name = (model.split("/").at(-1) ?? model).toLowerCase();
  for (const [pattern, window] of KNOWN_WINDOWS) if (pattern.test(name)) return window;
  return DEFAULT_CONTEXT_WINDOW;
}

export interface BudgetSettings {
  model: string;
  /** agents.defaults.contextWindow */
  contextWindow?: number | undefined;
  /** agents.defaults.contextBudget: the share of the window a prompt may use. */
  contextBudget?: number | undefined;
  /** agents.defaults.maxTokens: room kept for the answer. */
  maxTokens?: number | undefined;
}

/** Tokens a request's prompt may use: window × share − the answer's room. */
export function promptBudget(s: BudgetSettings): number {
  const window = contextWindowOf(s.model, s.contextWindow);
  const share = s.contextBudget ?? DEFAULT_CONTEXT_SHARE;
  return Math.max(MIN_BUDGET, Math.floor(window * share) - (s.maxTokens ?? 0));
}
