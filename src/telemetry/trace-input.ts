// What a run gives its tracer: the run's tracing options and each finished task's record.
import type { Attributes } from '@opentelemetry/api';
import type { AgentRun, AgentType, ErrorKind } from '../agents/types.js';
import type { GenerationParameters, ToolSpec } from '../models/types.js';
import type { TextRedactor } from '../secrets/redactor.js';

export interface TracingOptions {
  runId: string;
  /** Resource attributes: service.name, run.id, OTEL_RESOURCE_ATTRIBUTES (telemetry/resource.ts). */
  resource: Attributes;
  /** OTLP/HTTP base URL (`.../v1/traces` is appended unless present). */
  otlpEndpoint?: string;
  otlpHeaders?: Record<string, string>;
  captureContent: boolean;
  redactor: TextRedactor;
}

export interface TaskTraceInput {
  taskId: string;
  testCaseUid: string;
  difficulty: string;
  agentType: AgentType;
  prompt: string;
  provider: string;
  modelId: string;
  generation: GenerationParameters;
  tools: readonly ToolSpec[];
  run: AgentRun;
  startedAtMs: number;
  durationMs: number;
  success: boolean;
  error?: { kind: ErrorKind; message: string };
  /** Cost of each model call in order; null when unknown. */
  callCosts: (number | null)[];
  /** `gen_ai.tool.type` by tool name when not 'function' (MCP tools are 'extension'). */
  toolKinds?: Record<string, string>;
  /** Each scorer's verdict: a `gen_ai.evaluation.result` event on the agent span. */
  evaluations?: readonly { name: string; value: number; passed: boolean; explanation: string; error?: string }[];
  /** The LLM judge's calls: `chat {model}` spans of their own under the root, marked `agent_eval.judge`. */
  judgeCalls?: readonly JudgeCallSpan[];
  /** The agent's name on its span when it is not a built-in one (an external agent). */
  agentName?: string;
}

export interface JudgeCallSpan {
  startedAtMs: number;
  durationMs: number;
  provider: string;
  model: string;
  usage: { inputTokens: number; outputTokens: number };
  attempt: number;
  costUsd: number | null;
  /** Why the call gave no verdict (an invalid answer, a failed call). */
  error?: string;
}
