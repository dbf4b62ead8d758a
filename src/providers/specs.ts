/** Static facts about each supported provider. Pure data: imported by config overlays and status. */

export type WireApi = "openai-chat" | "anthropic" | "openai-codex";

export interface ProviderSpec {
  name: string;
  label: string;
  /** Substrings of a model name that point at this provider. */
  keywords: string[];
  /** Env variable holding the key; undefined for keyless local servers. */
  envKey?: string;
  defaultApiBase?: string;
  wire: WireApi;
  /** Model used when the config names none. */
  defaultModel?: string;
  /** A local server that works without a key. */
  local?: boolean;
  /** Gateways route any vendor's model by its full name (vendor/model). */
  gateway?: boolean;
}

export const PROVIDER_SPECS: readonly ProviderSpec[] = [
  {
    name: "anthropic",
    label: "Anthropic",
    keywords: ["claude", "anthropic"],
    envKey: "ANTHROPIC_API_KEY",
    defaultApiBase: "https://api.anthropic.com",
    wire: "anthropic",
    defaultModel: "claude-sonnet-5-5",
  },
  {
    name: "openai",
    label: "OpenAI",
    keywords: ["gpt", "o1", "o3", "o4", "chatgpt"],
    envKey: "OPENAI_API_KEY",
    defaultApiBase: "https://api.openai.com/v1",
    wire: "openai-chat",
    defaultModel: "gpt-5-mini",
  },
  {
    name: "openrouter",
    label: "OpenRouter",
    keywords: ["openrouter"],
    envKey: "OPENROUTER_API_KEY",
    defaultApiBase: "https://openrouter.ai/api/v1",
    wire: "openai-chat",
    defaultModel: "anthropic/claude-sonnet-5.5",
    gateway: true,
  },
  {
    name: "deepseek",
    label: "DeepSeek",
    keywords: ["deepseek"],
    envKey: "DEEPSEEK_API_KEY",
    defaultApiBase: "https://api.deepseek.com/v1",
    wire: "openai-chat",
    defaultModel: "deepseek-chat",
  },
  {
    name: "groq",
    label: "Groq",
    keywords: ["groq"],
    envKey: "GROQ_API_KEY",
    defaultApiBase: "https://api.groq.com/openai/v1",
    wire: "openai-chat",
    defaultModel: "llama-3.3-70b-versatile",
  },
  {
    name: "gemini",
    label: "Google Gemini (OpenAI-compatible endpoint)",
    keywords: ["gemini"],
    envKey: "GEMINI_API_KEY",
    defaultApiBase: "https://generativelanguage.googleapis.com/v1beta/openai",
    wire: "openai-chat",
    defaultModel: "gemini-2.5-flash",
  },
  {
    name: "mistral",
    label: "Mistral",
    keywords: ["mistral", "codestral", "magistral", "devstral"],
    envKey: "MISTRAL_API_KEY",
    defaultApiBase: "https://api.mistral.ai/v1",
    wire: "openai-chat",
    defaultModel: "mistral-large-latest",
  },
  {
    name: "xai",
    label: "xAI",
    keywords: ["grok"],
    envKey: "XAI_API_KEY",
    defaultApiBase: "https://api.x.ai/v1",
    wire: "openai-chat",
    defaultModel: "grok-4",
  },
  {
    name: "moonshot",
    label: "Moonshot",
    keywords: ["moonshot", "kimi"],
    envKey: "MOONSHOT_API_KEY",
    defaultApiBase: "https://api.moonshot.ai/v1",
    wire: "openai-chat",
    defaultModel: "kimi-k2-turbo-preview",
  },
  {
    name: "dashscope",
    label: "Alibaba DashScope",
    keywords: ["qwen", "dashscope"],
    envKey: "DASHSCOPE_API_KEY",
    defaultApiBase: "https://dashscope-intl.aliyuncs.com/compatible-mode/v1",
    wire: "openai-chat",
    defaultModel: "qwen-plus",
  },
  {
    name: "azure",
    label: "Azure OpenAI",
    keywords: ["azure"],
    envKey: "AZURE_OPENAI_API_KEY",
    wire: "openai-chat",
  },
  {
    name: "ollama",
    label: "Ollama (local)",
    keywords: ["ollama"],
    defaultApiBase: "http://127.0.0.1:11434/v1",
    wire: "openai-chat",
    local: true,
  },
  {
    name: "vllm",
    label: "vLLM (local)",
    keywords: ["vllm"],
    envKey: "VLLM_API_KEY",
    defaultApiBase: "http://127.0.0.1:8000/v1",
    wire: "openai-chat",
    local: true,
  },
  {
    name: "lmstudio",
    label: "LM Studio (local)",
    keywords: ["lmstudio", "lm-studio"],
    defaultApiBase: "http://127.0.0.1:1234/v1",
    wire: "openai-chat",
    local: true,
  },
  {
    name: "custom",
    label: "Custom OpenAI-compatible endpoint",
    keywords: [],
    wire: "openai-chat",
  },
  {
    name: "openai_codex",
    label: "OpenAI Codex (ChatGPT subscription)",
    keywords: [],
    // The Responses endpoint `codex` uses; requests go to <base>/responses.
    defaultApiBase: "https://chatgpt.com/backend-api/codex",
    wire: "openai-codex",
    defaultModel: "gpt-5.5",
  },
];

export function findSpec(name: string): ProviderSpec | undefined {
  return PROVIDER_SPECS.find((s) => s.name === name);
}

export const PROVIDER_NAMES: readonly string[] = PROVIDER_SPECS.map((s) => s.name);

export interface ModelMatch {
  spec: ProviderSpec;
  /** `prefix`: the model starts with "<provider>/"; `keyword`: the name contains one of its keywords. */
  by: "prefix" | "keyword";
  /** The "<provider>" of a prefix match. */
  prefix?: string;
}

/**
 * The provider a model name points to, the one rule for the config overlay and auto resolution:
 * a "<provider>/" prefix naming a known provider, else the first provider whose keywords appear in
 * the name (case-insensitive). `accept` narrows both steps (resolution takes only usable providers).
 */
export function matchModelToSpec(
  model: string | undefined,
  accept: (spec: ProviderSpec) => boolean = () => true,
): ModelMatch | undefined {
  if (!model) return undefined;
  const slash = model.indexOf("/");
  const prefix = slash > 0 ? model.slice(0, slash) : undefined;
  const prefixed = prefix ? findSpec(prefix) : undefined;
  if (prefix && prefixed && accept(prefixed)) return { spec: prefixed, by: "prefix", prefix };
  const lower = model.toLowerCase();
  const spec = PROVIDER_SPECS.find((s) => s.keywords.some((k) => lower.includes(k)) && accept(s));
  return spec ? { spec, by: "keyword" } : undefined;
}
