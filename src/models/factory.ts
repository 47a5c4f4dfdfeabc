import type { RetryPolicy } from './retry.js';
import type { ResolvedModel } from './routing.js';
import type { ModelProvider } from './types.js';

export interface CreateProviderOptions {
  /** Per-request timeout. */
  timeoutMs?: number;
  retry?: RetryPolicy;
}

/**
 * The native clients take the server root; a base URL written for their OpenAI-compatible
 * endpoints (`.../v1`, as LiteLLM users and earlier versions of this tool wrote it) would
 * otherwise become `.../v1/v1/messages` or `.../v1/api/chat`.
 */
function serverRoot(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
}

/**
 * The provider client for a resolved model: the native Anthropic Messages API for `anthropic`,
 * Ollama's /api/chat for `ollama`, the OpenAI-compatible Chat Completions API for everything else.
 * Each client module is loaded only when it is used.
 */
export async function createProvider(resolved: ResolvedModel, options: CreateProviderOptions = {}): Promise<ModelProvider> {
  const { timeoutMs, retry } = options;
  switch (resolved.provider) {
    case 'anthropic': {
      const { AnthropicProvider } = await import('./anthropic.js');
      return new AnthropicProvider({
        provider: resolved.provider,
        modelId: resolved.modelId,
        baseUrl: serverRoot(resolved.baseUrl),
        apiKey: resolved.apiKey,
        timeoutMs,
        retry,
      });
    }
    case 'ollama': {
      const { OllamaProvider } = await import('./ollama.js');
      return new OllamaProvider({
        provider: resolved.provider,
        modelId: resolved.modelId,
        host: serverRoot(resolved.baseUrl),
        apiKey: resolved.apiKey,
        timeoutMs,
        retry,
      });
    }
    default: {
      const { OpenAICompatibleProvider } = await import('./openai-compatible.js');
      return new OpenAICompatibleProvider({
        provider: resolved.provider,
        modelId: resolved.modelId,
        baseUrl: resolved.baseUrl,
        apiKey: resolved.apiKey,
        timeoutMs,
        retry,
      });
    }
  }
}
