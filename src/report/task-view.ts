/**
 * One task as the report page shows it: its table cells, where its time went (model, tools, harness),
 * its step timeline (from spans when the run has them, else from the tool-call durations), its
 * conversation and tool calls. Long texts are cut and repeated texts (the system prompt) stored once.
 */
import type { ReportTask } from './run-reader.js';
import type { SpanFile } from './run-schemas.js';

/** Characters kept of one message, observation or prompt. */
const TEXT_LIMIT = 6000;

/** Repeated strings stored once in the page (every task carries the same system prompt). */
export class StringTable {
  readonly strings: string[] = [];
  private readonly index = new Map<string, number>();

  add(text: string): number {
    const cut = text.length > TEXT_LIMIT ? `${text.slice(0, TEXT_LIMIT)}\n... [${text.length - TEXT_LIMIT} more characters]` : text;
    let position = this.index.get(cut);
    if (position === undefined) {
      position = this.strings.length;
      this.strings.push(cut);
      this.index.set(cut, position);
    }
    return position;
  }
}

export interface TimelineEntry {
  name: string;
  kind: 'model' | 'tool' | 'agent';
  startMs: number;
  durationMs: number;
  depth: number;
}

export interface TaskView {
  run: number;
  key: string;
  uid: string;
  taskId: string | null;
  /** null: not scored (an imported run before `agent-eval score`). */
  success: boolean | null;
  agentType: string | null;
  difficulty: string | null;
  category: string | null;
  failureReason: string | null;
  failureDetail: string | null;
  errorKind: string | null;
  error: string | null;
  steps: number | null;
  tokens: number | null;
  cost: number | null;
  durationMs: number | null;
  /** From spans only; null without a trace. */
  modelMs: number | null;
  toolMs: number | null;
  /** Duration minus model and tool time (spans), null without a trace. */
  overheadMs: number | null;
  prompt: number | null;
  response: number | null;
  scores: Record<string, boolean | null>;
  /** Every scorer's verdict (the row's `scores`, in its order); null when the row has none (SMOLTRACE's, older runs). */
  /** `error`: the scorer could not decide (string index), which is no verdict. */
  scorers: { name: string; value: number | null; passed: boolean; explanation: number | null; error: number | null }[] | null;
  messages: { role: string; content: number | null; toolCalls?: { name: string; arguments: number }[]; reasoning?: number; name?: string }[];
  toolCalls: { step: number | null; name: string; arguments: number; output: number | null; isError: boolean; durationMs: number | null; cpuMs: number | null; maxRssKiB: number | null }[];
  timeline: TimelineEntry[];
  /** Where the timeline came from: 'spans', 'tool-calls' (durations only, start times not recorded) or null. */
  timelineSource: 'spans' | 'tool-calls' | null;
  /** Columns named by --group-by. */
  extra: Record<string, string | null>;
}

function spanKind(span: SpanFile): TimelineEntry['kind'] {
  const attributes = span.attributes ?? {};
  const operation = attributes['gen_ai.operation.name'];
  const openInference = attributes['openinference.span.kind'];
  if (operation === 'chat' || operation === 'text_completion' || openInference === 'LLM') return 'model';
  if (operation === 'execute_tool' || openInference === 'TOOL') return 'tool';
  return 'agent';
}

const nanos = (value: string | number | bigint | null | undefined) => (value === null || value === undefined ? null : Number(value));

/** The spans as a timeline relative to the root's start, each with its depth in the tree. */
export function spanTimeline(spans: readonly SpanFile[]): TimelineEntry[] {
  const starts = spans.map((span) => nanos(span.start_time)).filter((value): value is number => value !== null && Number.isFinite(value));
  if (!starts.length) return [];
  const origin = Math.min(...starts);
  const parents = new Map(spans.map((span) => [span.span_id, span.parent_span_id]));
  const depth = (span: SpanFile) => {
    let level = 0;
    for (let parent = span.parent_span_id; parent && parents.has(parent) && level < 50; parent = parents.get(parent)) level++;
    return level;
  };
  return spans
    .map((span) => ({ name: span.name, kind: spanKind(span), startMs: ((nanos(span.start_time) ?? origin) - origin) / 1e6, durationMs: span.duration_ms ?? 0, depth: depth(span) }))
    .sort((left, right) => left.startMs - right.startMs || left.depth - right.depth);
}

/** Model and tool time from the spans (top-level calls only, so nested spans are not counted twice). */
function spanTimes(spans: readonly SpanFile[]): { modelMs: number; toolMs: number } {
  let modelMs = 0;
  let toolMs = 0;
  const ids = new Map(spans.map((span) => [span.span_id, span]));
  for (const span of spans) {
    const kind = spanKind(span);
    if (kind === 'agent') continue;
    const parent = span.parent_span_id ? ids.get(span.parent_span_id) : undefined;
    if (parent && spanKind(parent) === kind) continue;
    if (kind === 'model') modelMs += span.duration_ms ?? 0;
    else toolMs += span.duration_ms ?? 0;
  }
  return { modelMs, toolMs };
}

function messageViews(messages: readonly unknown[], strings: StringTable): TaskView['messages'] {
  return messages.map((message) => {
    const record = (typeof message === 'object' && message !== null ? message : { role: 'unknown', content: message }) as Record<string, unknown>;
    const content = record.content;
    const text = typeof content === 'string' ? content : content === null || content === undefined ? null : JSON.stringify(content);
    const calls = Array.isArray(record.tool_calls) ? (record.tool_calls as Record<string, unknown>[]) : [];
    const reasoning = record.reasoning ?? record.reasoning_content;
    return {
      role: String(record.role ?? 'unknown'),
      content: text === null ? null : strings.add(text),
      ...(calls.length && {
        toolCalls: calls.map((call) => {
          const fn = (call.function ?? call) as Record<string, unknown>;
          return { name: String(fn.name ?? '?'), arguments: strings.add(typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? {})) };
        }),
      }),
      ...(typeof reasoning === 'string' && reasoning && { reasoning: strings.add(reasoning) }),
      ...(typeof record.name === 'string' && { name: record.name }),
    };
  });
}

const text = (value: unknown): string | null => (value === null || value === undefined ? null : typeof value === 'string' ? value : JSON.stringify(value));

export function taskView(task: ReportTask, run: number, strings: StringTable, groupBy: readonly string[]): TaskView {
  const row = task.row;
  const spans = task.trace?.spans ?? [];
  const duration = row.execution_time_ms ?? null;
  const times = spans.length ? spanTimes(spans) : null;
  const calls = row.tool_calls ?? [];
  const toolCallMs = calls.length ? calls.reduce((sum, call) => sum + (call.duration_ms ?? 0), 0) : row.tool_calls ? 0 : null;
  const timelineFromCalls = (): TimelineEntry[] => {
    let start = 0;
    return calls.map((call) => {
      const entry = { name: `step ${call.step ?? '?'}: ${call.name}`, kind: 'tool' as const, startMs: start, durationMs: call.duration_ms ?? 0, depth: 0 };
      start += call.duration_ms ?? 0;
      return entry;
    });
  };
  const timeline = spans.length ? spanTimeline(spans) : timelineFromCalls();
  const record = row as Record<string, unknown>;
  return {
    run,
    key: task.key,
    uid: task.uid,
    taskId: row.task_id ?? null,
    success: row.success,
    agentType: row.agent_type ?? null,
    difficulty: row.difficulty ?? null,
    category: row.category ?? null,
    failureReason: row.success !== false ? null : (row.failure_reason ?? row.error_kind ?? null),
    failureDetail: row.failure_detail ?? null,
    errorKind: row.error_kind ?? null,
    error: row.error ?? null,
    steps: row.steps ?? null,
    tokens: row.total_tokens ?? null,
    cost: row.cost_usd ?? null,
    durationMs: duration,
    modelMs: times ? times.modelMs : null,
    toolMs: times ? times.toolMs : toolCallMs,
    overheadMs: times && duration !== null ? Math.max(0, duration - times.modelMs - times.toolMs) : null,
    prompt: row.prompt ? strings.add(row.prompt) : null,
    response: text(row.response) === null ? null : strings.add(text(row.response)!),
    scores: {
      success: row.success,
      tool_called: row.tool_called ?? null,
      correct_tool: row.correct_tool ?? null,
      final_answer_called: row.final_answer_called ?? null,
      response_correct: row.response_correct ?? null,
    },
    scorers: row.scores
      ? Object.entries(row.scores).map(([name, score]) => ({ name, value: score.value ?? null, passed: score.passed, explanation: score.explanation ? strings.add(score.explanation) : null, error: typeof score.error === 'string' ? strings.add(score.error) : null }))
      : null,
    messages: messageViews(row.messages ?? [], strings),
    toolCalls: calls.map((call) => ({
      step: call.step ?? null,
      name: call.name,
      arguments: strings.add(JSON.stringify(call.arguments ?? {})),
      output: call.output === null || call.output === undefined ? null : strings.add(call.output),
      isError: call.is_error ?? false,
      durationMs: call.duration_ms ?? null,
      cpuMs: call.resources ? (call.resources.cpuUserMs ?? 0) + (call.resources.cpuSystemMs ?? 0) : null,
      maxRssKiB: call.resources?.maxRssKiB ?? null,
    })),
    timeline,
    timelineSource: spans.length ? 'spans' : calls.length ? 'tool-calls' : null,
    extra: Object.fromEntries(groupBy.map((column) => [column, text(record[column])])),
  };
}
