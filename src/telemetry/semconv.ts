import type { FinishReason } from '../models/types.js';

/**
 * OpenTelemetry GenAI semantic convention names we emit. Kept here as plain strings: the npm
 * `@opentelemetry/semantic-conventions` constants for GenAI are deprecated (moved to the GenAI
 * semconv repository), and the names themselves are what backends match on.
 */
export const GEN_AI = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  requestTemperature: 'gen_ai.request.temperature',
  requestTopP: 'gen_ai.request.top_p',
  requestMaxTokens: 'gen_ai.request.max_tokens',
  requestSeed: 'gen_ai.request.seed',
  requestStopSequences: 'gen_ai.request.stop_sequences',
  responseId: 'gen_ai.response.id',
  responseModel: 'gen_ai.response.model',
  responseFinishReasons: 'gen_ai.response.finish_reasons',
  usageInputTokens: 'gen_ai.usage.input_tokens',
  usageOutputTokens: 'gen_ai.usage.output_tokens',
  usageCacheReadInputTokens: 'gen_ai.usage.cache_read.input_tokens',
  usageCacheCreationInputTokens: 'gen_ai.usage.cache_creation.input_tokens',
  usageReasoningOutputTokens: 'gen_ai.usage.reasoning.output_tokens',
  usageCost: 'gen_ai.usage.cost',
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
  systemInstructions: 'gen_ai.system_instructions',
  toolDefinitions: 'gen_ai.tool.definitions',
  toolName: 'gen_ai.tool.name',
  toolCallId: 'gen_ai.tool.call.id',
  toolType: 'gen_ai.tool.type',
  toolDescription: 'gen_ai.tool.description',
  toolCallArguments: 'gen_ai.tool.call.arguments',
  toolCallResult: 'gen_ai.tool.call.result',
  agentName: 'gen_ai.agent.name',
  conversationId: 'gen_ai.conversation.id',
  errorType: 'error.type',
} as const;

export const OPERATION = { chat: 'chat', executeTool: 'execute_tool', invokeAgent: 'invoke_agent' } as const;

/** Our routing prefixes to `gen_ai.provider.name` values where the conventions define one. */
export const PROVIDER_NAMES: Record<string, string> = {
  openai: 'openai',
  anthropic: 'anthropic',
  mistral: 'mistral_ai',
  groq: 'groq',
  deepseek: 'deepseek',
  xai: 'x_ai',
};

/** SMOLTRACE's root span and its attribute names (spec 9.2), kept for dashboards. */
export const SMOLTRACE = {
  rootSpanName: 'test_evaluation',
  testId: 'test.id',
  testCaseUid: 'test.case_uid',
  testDifficulty: 'test.difficulty',
  agentType: 'agent.type',
  prompt: 'prompt',
  toolCalls: 'tests.tool_calls',
  steps: 'tests.steps',
  success: 'test.success',
  serviceName: 'agent-eval',
  runId: 'run.id',
} as const;

/**
 * OpenInference attributes (Arize), written beside the GenAI ones as SMOLTRACE's instrumentation writes
 * them, so Phoenix and other OpenInference backends show span kinds, input/output and token counts.
 */
export const OPENINFERENCE = {
  spanKind: 'openinference.span.kind',
  inputValue: 'input.value',
  inputMimeType: 'input.mime_type',
  outputValue: 'output.value',
  outputMimeType: 'output.mime_type',
  llmModelName: 'llm.model_name',
  llmProvider: 'llm.provider',
  tokenCountPrompt: 'llm.token_count.prompt',
  tokenCountCompletion: 'llm.token_count.completion',
  tokenCountTotal: 'llm.token_count.total',
  tokenCountCacheRead: 'llm.token_count.prompt_details.cache_read',
  tokenCountReasoning: 'llm.token_count.completion_details.reasoning',
  toolName: 'tool.name',
  toolDescription: 'tool.description',
  /** Resource attribute: the Phoenix project the spans are grouped under. */
  projectName: 'openinference.project.name',
} as const;

export const OPENINFERENCE_SPAN_KINDS = { chain: 'CHAIN', agent: 'AGENT', llm: 'LLM', tool: 'TOOL' } as const;

/**
 * `gen_ai.response.finish_reasons` values: the GenAI conventions' and OpenAI's spelling. Internally a
 * finish reason is `tool-calls`; it is mapped only here, at the telemetry boundary.
 */
export const RESPONSE_FINISH_REASONS: Record<FinishReason, string> = {
  stop: 'stop',
  'tool-calls': 'tool_calls',
  length: 'length',
  'content-filter': 'content_filter',
  error: 'error',
  other: 'other',
};

/** Per-tool resource usage (AgentTrace's method). */
export const PROCESS = {
  cpuUserMs: 'process.cpu.user_ms',
  cpuSystemMs: 'process.cpu.system_ms',
  maxRssKiB: 'process.memory.max_rss_kib',
  fsReadOps: 'process.fs.read_ops',
  fsWriteOps: 'process.fs.write_ops',
  exitCode: 'process.exit.code',
} as const;
