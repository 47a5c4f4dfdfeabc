import { InputError } from '../errors.js';

/** One LiteLLM-style prefix: where its OpenAI-compatible API lives and which variable holds its key. */
export interface Route {
  prefix: string;
  baseUrl: string;
  /** Variables searched in order for the API key; the first is the one named in errors. */
  keyVariables: string[];
  /** Variable that overrides the base URL. */
  baseUrlVariable?: string;
  /** False for servers that need no key (local servers). */
  keyRequired: boolean;
}

export const ROUTES: readonly Route[] = [
  { prefix: 'openai', baseUrl: 'https://api.openai.com/v1', keyVariables: ['OPENAI_API_KEY'], baseUrlVariable: 'OPENAI_BASE_URL', keyRequired: true },
  { prefix: 'mistral', baseUrl: 'https://api.mistral.ai/v1', keyVariables: ['MISTRAL_API_KEY'], keyRequired: true },
  { prefix: 'groq', baseUrl: 'https://api.groq.com/openai/v1', keyVariables: ['GROQ_API_KEY'], keyRequired: true },
  { prefix: 'together_ai', baseUrl: 'https://api.together.xyz/v1', keyVariables: ['TOGETHER_API_KEY', 'TOGETHERAI_API_KEY'], keyRequired: true },
  { prefix: 'openrouter', baseUrl: 'https://openrouter.ai/api/v1', keyVariables: ['OPENROUTER_API_KEY'], keyRequired: true },
  { prefix: 'deepseek', baseUrl: 'https://api.deepseek.com/v1', keyVariables: ['DEEPSEEK_API_KEY'], keyRequired: true },
  { prefix: 'fireworks_ai', baseUrl: 'https://api.fireworks.ai/inference/v1', keyVariables: ['FIREWORKS_AI_API_KEY', 'FIREWORKS_API_KEY'], keyRequired: true },
  { prefix: 'xai', baseUrl: 'https://api.x.ai/v1', keyVariables: ['XAI_API_KEY'], keyRequired: true },
  { prefix: 'hf', baseUrl: 'https://router.huggingface.co/v1', keyVariables: ['HF_TOKEN', 'HUGGINGFACE_API_KEY'], keyRequired: true },
  // Native APIs (see factory.ts): the Anthropic Messages API and Ollama's /api/chat, so no /v1 here.
  { prefix: 'anthropic', baseUrl: 'https://api.anthropic.com', keyVariables: ['ANTHROPIC_API_KEY'], baseUrlVariable: 'ANTHROPIC_BASE_URL', keyRequired: true },
  { prefix: 'ollama', baseUrl: 'http://localhost:11434', keyVariables: ['OLLAMA_API_KEY'], baseUrlVariable: 'OLLAMA_HOST', keyRequired: false },
];

/** Local models run in this process with transformers.js: no endpoint, no key. */
const LOCAL_ROUTE: Route = { prefix: 'transformers', baseUrl: 'local', keyVariables: [], keyRequired: false };

/** Whether `model` names a model behind a known API prefix (openai/..., ollama/...), as opposed to a Hub id. */
export function hasApiPrefix(model: string): boolean {
  const slash = model.indexOf('/');
  return BARE_OPENAI.test(model) || (slash > 0 && findRoute(model.slice(0, slash).toLowerCase()) !== undefined);
}

const ALIASES: Record<string, string> = { huggingface: 'hf', together: 'together_ai', fireworks: 'fireworks_ai', 'ollama_chat': 'ollama' };

/** `--provider` values, SMOLTRACE's names. */
export const PROVIDER_CHOICES = ['litellm', 'inference', 'ollama', 'transformers'] as const;
export type ProviderChoice = (typeof PROVIDER_CHOICES)[number];

export interface ResolvedModel {
  /** Routed provider name ("openai", "groq", "custom", ...). */
  provider: string;
  /** Model id sent to the API. */
  modelId: string;
  baseUrl: string;
  apiKey: string;
}

export interface ResolveInput {
  model: string;
  provider: ProviderChoice;
  baseUrl?: string;
  /** Hugging Face Inference Provider to pin (groq, together, ...): sent as `model:provider`. */
  hfInferenceProvider?: string;
  env: Record<string, string | undefined>;
  /** No key needed (`--cache replay` answers from the store). */
  keyOptional?: boolean;
}

function findRoute(prefix: string): Route | undefined {
  const name = ALIASES[prefix] ?? prefix;
  return ROUTES.find((route) => route.prefix === name);
}

function readKey(route: Route, env: ResolveInput['env']): string | undefined {
  for (const variable of route.keyVariables) {
    const value = env[variable]?.trim();
    if (value && value !== 'dummy') return value;
  }
  return undefined;
}

/** Model names that LiteLLM sends to OpenAI without a prefix. */
const BARE_OPENAI = /^(gpt-|o[1-9](-|$)|chatgpt-|text-embedding-)/;

function splitModel(input: ResolveInput): { route: Route | undefined; modelId: string } {
  const { model, provider } = input;
  if (provider === 'inference') return { route: findRoute('hf'), modelId: model.replace(/^(hf|huggingface)\//, '') };
  if (provider === 'ollama') return { route: findRoute('ollama'), modelId: model.replace(/^ollama(_chat)?\//, '') };
  if (provider === 'transformers' || /^transformers\//i.test(model)) return { route: LOCAL_ROUTE, modelId: model.replace(/^transformers\//i, '') };
  const slash = model.indexOf('/');
  if (slash > 0) {
    const route = findRoute(model.slice(0, slash).toLowerCase());
    if (route) return { route, modelId: model.slice(slash + 1) };
    if (input.baseUrl) return { route: undefined, modelId: model };
    const known = ROUTES.map((entry) => entry.prefix).join(', ');
    throw new InputError(`--model ${model}: unknown provider prefix '${model.slice(0, slash)}' (known: ${known}; or give --base-url)`);
  }
  if (input.baseUrl) return { route: undefined, modelId: model };
  if (BARE_OPENAI.test(model)) return { route: findRoute('openai'), modelId: model };
  throw new InputError(`--model ${model}: cannot tell the provider; write it as prefix/model (e.g. openai/${model}) or give --base-url`);
}

/**
 * `OLLAMA_HOST` as the ollama CLI reads it: the scheme is optional and then means http with port
 * 11434 by default (`0.0.0.0:11434` and `0.0.0.0` mean `http://0.0.0.0:11434`, `:8080` means
 * `http://127.0.0.1:8080`); with a scheme, the scheme's default port applies. Trailing slashes go.
 */
function ollamaHostUrl(host: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) return host.replace(/\/+$/, '');
  const [hostPort = '', ...rest] = host.split('/');
  const path = rest.length ? `/${rest.join('/')}` : '';
  const withHost = hostPort.startsWith(':') || hostPort === '' ? `127.0.0.1${hostPort}` : hostPort;
  const hasPort = /:\d+$/.test(withHost) && !/^\[[^\]]*\]$/.test(withHost);
  return `http://${withHost}${hasPort ? '' : ':11434'}${path}`.replace(/\/+$/, '');
}

/** Resolves a LiteLLM-style model id to an endpoint and key. Throws InputError on anything unusable. */
export function resolveModel(input: ResolveInput): ResolvedModel {
  if (!input.model.trim()) throw new InputError('--model: must not be empty');
  const split = splitModel(input);
  const { route } = split;
  let { modelId } = split;
  if (!modelId) throw new InputError(`--model ${input.model}: the model name after the prefix is empty`);
  if (input.hfInferenceProvider) {
    if (route?.prefix !== 'hf') throw new InputError('--hf-inference-provider: only for hf/ models or --provider inference');
    if (!modelId.includes(':')) modelId = `${modelId}:${input.hfInferenceProvider}`;
  }
  if (route === LOCAL_ROUTE) {
    if (input.baseUrl) throw new InputError('--base-url: not used by --provider transformers (the model runs in this process)');
    return { provider: 'transformers', modelId, baseUrl: 'local', apiKey: 'not-needed' };
  }
  if (!route) {
    const apiKey = input.env.AGENT_EVAL_API_KEY ?? input.env.OPENAI_API_KEY ?? 'not-needed';
    return { provider: 'custom', modelId, baseUrl: input.baseUrl!, apiKey };
  }
  const fromEnv = route.baseUrlVariable ? input.env[route.baseUrlVariable]?.trim() || undefined : undefined;
  const baseUrl = input.baseUrl ?? (fromEnv && route.prefix === 'ollama' ? ollamaHostUrl(fromEnv) : fromEnv) ?? route.baseUrl;
  const apiKey = readKey(route, input.env);
  if (!apiKey && route.keyRequired && !input.baseUrl && !input.keyOptional) {
    throw new InputError(`--model ${input.model}: ${route.keyVariables[0]} is not set (put it in the environment or in .env)`);
  }
  return { provider: route.prefix, modelId, baseUrl, apiKey: apiKey ?? 'not-needed' };
}
