/**
 * AgentTrace's JSON traces (one per line or a list): operational records (tool spans with timings and
 * OS-level resource use), cognitive records (model steps with reasoning and parsed tool calls) and
 * contextual ones (files, HTTP: kept as tool calls of their kind). Turned into trajectories with spans
 * synthesised in our span shape, so traces.json holds them like any other run's.
 */
import { z } from 'zod';
import { describeIssue } from '../report/run-schemas.js';
import { argumentsText, contentText, jsonValue, type ChatMessage, type ChatToolCall } from './messages.js';
import { ImportProblem, type ParsedSource } from './otel.js';
import { parseCallText } from './python-literal.js';
import { nanoseconds, type SourceSpan } from './spans.js';
import { finalAnswerOf, type ImportedToolCall, type Trajectory } from './trajectory.js';

const count = z.number().nullish();

const toolSpan = z.looseObject({
  span_id: z.union([z.string(), z.number()]).transform(String),
  type: z.string().nullish(),
  tool_name: z.string().nullish(),
  name: z.string().nullish(),
  tool_input: z.unknown().optional(),
  tool_output: z.unknown().optional(),
  start_ns: z.union([z.number(), z.string()]).nullish(),
  end_ns: z.union([z.number(), z.string()]).nullish(),
  duration_ms: count,
  telemetry: z.looseObject({ user_time_s: count, system_time_s: count, max_rss_bytes: count, read_bytes: count, write_bytes: count }).nullish(),
  exit_code: count,
  error: z.string().nullish(),
  path: z.string().nullish(),
  url: z.string().nullish(),
});

const llmStep = z.looseObject({
  step_id: z.union([z.string(), z.number()]).nullish(),
  step_number: count,
  model_output: z.string().nullish(),
  reasoning_content: z.string().nullish(),
  tool_calls: z.array(z.unknown()).nullish(),
  duration_ms: count,
  input_tokens: count,
  output_tokens: count,
});

export const agentTraceRowSchema = z.looseObject({
  trace_id: z.union([z.string(), z.number()]).transform(String),
  timestamp_utc: z.string().nullish(),
  prompt: z.string(),
  model: z.string().nullish(),
  spans: z.array(toolSpan).nullish(),
  llm_steps: z.array(llmStep).nullish(),
  total_duration_ms: count,
  metadata: z.record(z.string(), z.unknown()).nullish(),
});

export function looksLikeAgentTrace(values: readonly unknown[]): boolean {
  const head = Array.isArray(values[0]) ? values[0][0] : values[0];
  return typeof head === 'object' && head !== null && 'llm_steps' in head && 'prompt' in head;
}

type Row = z.infer<typeof agentTraceRowSchema>;

function hexOf(text: string, digits: number): string {
  const clean = text.toLowerCase().replace(/[^0-9a-f]/g, '');
  if (clean.length >= digits) return clean.slice(0, digits);
  return Buffer.from(text).toString('hex').padStart(digits, '0').slice(-digits);
}

/** The tool calls the model steps asked for, in order: name and arguments (an object when recorded as one or as JSON). */
function requestedCalls(row: Row): { name: string | null; arguments: unknown }[] {
  return (row.llm_steps ?? []).flatMap((step) =>
    (step.tool_calls ?? []).map((raw) => {
      const call = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
      const fn = (typeof call.function === 'object' && call.function !== null ? call.function : call) as Record<string, unknown>;
      const args = fn.arguments ?? fn.args;
      const parsed = typeof args === 'string' ? (jsonValue(args) ?? args) : args;
      return { name: typeof fn.name === 'string' ? fn.name : null, arguments: parsed };
    }),
  );
}

/**
 * A tool span's arguments: the matching model step's tool call (same name, in order) when it recorded them as an
 * object, else the span's `tool_input` ("args=() kwargs={...}" parsed, JSON, an object), else its path or URL.
 */
function argumentsOf(span: z.infer<typeof toolSpan>, name: string, requested: { name: string | null; arguments: unknown }[]): unknown {
  const index = requested.findIndex((call) => call.name === name);
  const match = index >= 0 ? requested.splice(index, 1)[0] : undefined;
  if (match && typeof match.arguments === 'object' && match.arguments !== null && !Array.isArray(match.arguments)) return match.arguments;
  const input = span.tool_input;
  if (typeof input === 'string') {
    const parsed = parseCallText(input) ?? jsonValue(input);
    return typeof parsed === 'object' && parsed !== null ? parsed : { input };
  }
  return input ?? (span.path ? { path: span.path } : span.url ? { url: span.url } : {});
}

function toolCalls(row: Row, startNs: bigint): { calls: ImportedToolCall[]; spans: SourceSpan[] } {
  const calls: ImportedToolCall[] = [];
  const spans: SourceSpan[] = [];
  const requested = requestedCalls(row);
  for (const [index, span] of (row.spans ?? []).entries()) {
    const name = span.tool_name ?? span.name ?? (span.type ? span.type.toLowerCase() : 'tool');
    const start = nanoseconds(span.start_ns) ?? startNs;
    const durationMs = span.duration_ms ?? (span.end_ns != null ? Number((nanoseconds(span.end_ns) ?? start) - start) / 1e6 : null);
    const output = span.tool_output === undefined || span.tool_output === null ? '' : contentText(span.tool_output);
    const isError = Boolean(span.error) || (span.exit_code !== null && span.exit_code !== undefined && span.exit_code !== 0);
    const input = argumentsOf(span, name, requested);
    const telemetry = span.telemetry;
    calls.push({
      step: index + 1,
      name,
      arguments: input,
      output: span.error ? `${output}${output ? '\n' : ''}${span.error}` : output,
      is_error: isError,
      duration_ms: durationMs,
      ...(telemetry && {
        resources: {
          cpuUserMs: telemetry.user_time_s == null ? null : telemetry.user_time_s * 1000,
          cpuSystemMs: telemetry.system_time_s == null ? null : telemetry.system_time_s * 1000,
          maxRssKiB: telemetry.max_rss_bytes == null ? null : Math.round(telemetry.max_rss_bytes / 1024),
          fsReadOps: telemetry.read_bytes == null ? null : Math.round(telemetry.read_bytes / 512),
          fsWriteOps: telemetry.write_bytes == null ? null : Math.round(telemetry.write_bytes / 512),
          exitCode: span.exit_code ?? null,
        },
      }),
    });
    spans.push({
      traceId: hexOf(row.trace_id, 32),
      spanId: hexOf(`${span.span_id}`, 16),
      parentSpanId: null,
      name: `execute_tool ${name}`,
      startNs: start,
      endNs: start + BigInt(Math.round((durationMs ?? 0) * 1e6)),
      kind: 'INTERNAL',
      attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': name, 'gen_ai.tool.call.arguments': argumentsText(input), 'gen_ai.tool.call.result': output, ...(span.exit_code != null && { 'process.exit.code': span.exit_code }) },
      events: [],
      status: { code: isError ? 'ERROR' : 'UNSET', description: span.error ?? null },
      resource: {},
    });
  }
  return { calls, spans };
}

/** The conversation: the prompt, then each model step (reasoning, text, tool calls) and the tool results in order. */
function conversation(row: Row, calls: readonly ImportedToolCall[]): ChatMessage[] {
  const messages: ChatMessage[] = [{ role: 'user', content: row.prompt }];
  let next = 0;
  for (const [stepIndex, step] of (row.llm_steps ?? []).entries()) {
    const stepCalls: ChatToolCall[] = (step.tool_calls ?? []).map((raw, index) => {
      const call = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
      const fn = (typeof call.function === 'object' && call.function !== null ? call.function : call) as Record<string, unknown>;
      return { id: String(call.id ?? `call_${stepIndex + 1}_${index}`), type: 'function', function: { name: String(fn.name ?? calls[next + index]?.name ?? 'tool'), arguments: argumentsText(fn.arguments ?? fn.args ?? {}) } };
    });
    messages.push({ role: 'assistant', content: step.model_output ?? null, ...(stepCalls.length && { tool_calls: stepCalls }), ...(step.reasoning_content && { reasoning_content: step.reasoning_content }) });
    for (const call of stepCalls) messages.push({ role: 'tool', tool_call_id: call.id, content: calls[next++]?.output ?? '' });
  }
  return messages;
}

function trajectoryOf(row: Row): Trajectory {
  const startNs = nanoseconds(row.timestamp_utc) ?? 0n;
  const { calls, spans } = toolCalls(row, startNs);
  const messages = conversation(row, calls);
  const metadata = row.metadata ?? {};
  const taskId = metadata.task_id ?? metadata.test_id;
  const steps = row.llm_steps ?? [];
  return {
    taskId: typeof taskId === 'string' || typeof taskId === 'number' ? String(taskId) : row.trace_id,
    testCaseUid: null,
    traceId: hexOf(row.trace_id, 32),
    rootSpanId: null,
    agentType: 'tool',
    difficulty: null,
    category: typeof metadata.dataset === 'string' ? metadata.dataset : null,
    prompt: row.prompt,
    messages,
    toolDefinitions: [],
    toolCalls: calls,
    modelCalls: steps.map((step) => ({ model: row.model ?? null, provider: null, inputTokens: step.input_tokens ?? null, outputTokens: step.output_tokens ?? null, cachedInputTokens: 0, reasoningTokens: 0, costUsd: null, finishReasons: [], startNs })),
    finalAnswer: finalAnswerOf(messages, calls),
    startNs,
    durationMs: row.total_duration_ms ?? steps.reduce((sum, step) => sum + (step.duration_ms ?? 0), 0) + calls.reduce((sum, call) => sum + (call.duration_ms ?? 0), 0),
    error: null,
    spans,
    extra: { agenttrace_metadata: metadata },
  };
}

export function parseAgentTraceFile(path: string, values: readonly unknown[]): ParsedSource {
  const rows = values.length === 1 && Array.isArray(values[0]) ? values[0] : values;
  const trajectories: Trajectory[] = [];
  const warnings: string[] = [];
  for (const [index, value] of rows.entries()) {
    const parsed = agentTraceRowSchema.safeParse(value);
    if (!parsed.success) {
      warnings.push(`${path}: trace ${index + 1}: not an AgentTrace row (${describeIssue(parsed.error).replace(/^the file: /, '')}); skipped`);
      continue;
    }
    trajectories.push(trajectoryOf(parsed.data));
  }
  if (trajectories.length === 0 || warnings.length > trajectories.length) throw new ImportProblem(warnings[0]?.replace(/; skipped$/, '') ?? `${path}: no AgentTrace rows`);
  return { trajectories, warnings };
}
