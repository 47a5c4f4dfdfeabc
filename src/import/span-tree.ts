/**
 * A trace's span tree: parent links checked (a cycle drops the trace, a missing parent is a warning and
 * the span becomes a root), spans classified as agent, model-call or tool-call spans by the GenAI
 * conventions or OpenInference, and split into tasks (outermost agent spans, else the whole trace).
 */
import type { SourceSpan } from './spans.js';

export class TraceProblem extends Error {}

export type SpanRole = 'agent' | 'model' | 'tool' | 'other';

const MODEL_OPERATIONS = new Set(['chat', 'text_completion', 'generate_content', 'completion']);
const USAGE_KEYS = ['gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens', 'llm.token_count.prompt', 'gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens'];

export function spanRole(span: SourceSpan): SpanRole {
  const attributes = span.attributes;
  const operation = attributes['gen_ai.operation.name'];
  const kind = typeof attributes['openinference.span.kind'] === 'string' ? attributes['openinference.span.kind'].toUpperCase() : '';
  if (operation === 'invoke_agent' || operation === 'create_agent' || kind === 'AGENT') return operation === 'create_agent' ? 'other' : 'agent';
  if (operation === 'execute_tool' || kind === 'TOOL' || (operation === undefined && typeof attributes['gen_ai.tool.name'] === 'string')) return 'tool';
  if ((typeof operation === 'string' && MODEL_OPERATIONS.has(operation)) || kind === 'LLM') return 'model';
  if (operation === undefined && (USAGE_KEYS.some((key) => attributes[key] !== undefined) || attributes['gen_ai.prompt.0.role'] !== undefined || attributes['llm.request.type'] === 'chat')) return 'model';
  return 'other';
}

export class SpanTree {
  readonly byId = new Map<string, SourceSpan>();
  readonly children = new Map<string, SourceSpan[]>();
  readonly roots: SourceSpan[] = [];
  readonly warnings: string[] = [];
  private readonly roles = new Map<SourceSpan, SpanRole>();

  constructor(readonly traceId: string, readonly spans: readonly SourceSpan[]) {
    for (const span of spans) {
      if (this.byId.has(span.spanId)) throw new TraceProblem(`span ${span.spanId} appears twice`);
      this.byId.set(span.spanId, span);
      this.roles.set(span, spanRole(span));
    }
    const missing = new Set<string>();
    for (const span of spans) {
      const parent = span.parentSpanId;
      if (parent === null || parent === span.spanId) {
        if (parent === span.spanId) throw new TraceProblem(`span ${span.spanId} is its own parent (a cycle)`);
        this.roots.push(span);
      } else if (!this.byId.has(parent)) {
        missing.add(parent);
        this.roots.push(span);
      } else {
        const list = this.children.get(parent) ?? [];
        list.push(span);
        this.children.set(parent, list);
      }
    }
    if (missing.size) this.warnings.push(`${missing.size} parent span(s) missing (${[...missing].slice(0, 3).join(', ')}); their children are taken as roots`);
    this.checkCycles();
  }

  /** Every span must reach a root by its parent links; the rest form cycles. */
  private checkCycles(): void {
    let reached = 0;
    const stack = [...this.roots];
    while (stack.length) {
      const span = stack.pop()!;
      reached++;
      stack.push(...(this.children.get(span.spanId) ?? []));
    }
    if (reached !== this.spans.length) {
      const cyclic = this.spans.find((span) => !this.reachesRoot(span));
      throw new TraceProblem(`the span tree has a cycle (through span ${cyclic?.spanId ?? '?'})`);
    }
  }

  private reachesRoot(span: SourceSpan): boolean {
    const seen = new Set<string>();
    let current: SourceSpan | undefined = span;
    while (current) {
      if (seen.has(current.spanId)) return false;
      seen.add(current.spanId);
      if (current.parentSpanId === null || !this.byId.has(current.parentSpanId)) return true;
      current = this.byId.get(current.parentSpanId);
    }
    return true;
  }

  role(span: SourceSpan): SpanRole {
    return this.roles.get(span) ?? 'other';
  }

  parent(span: SourceSpan): SourceSpan | undefined {
    return span.parentSpanId === null ? undefined : this.byId.get(span.parentSpanId);
  }

  /** The span's ancestors, nearest first. */
  ancestors(span: SourceSpan): SourceSpan[] {
    const list: SourceSpan[] = [];
    for (let current = this.parent(span); current; current = this.parent(current)) list.push(current);
    return list;
  }

  /** The span and everything under it, by start time. */
  subtree(span: SourceSpan): SourceSpan[] {
    const list: SourceSpan[] = [];
    const stack = [span];
    while (stack.length) {
      const current = stack.pop()!;
      list.push(current);
      stack.push(...(this.children.get(current.spanId) ?? []));
    }
    return sortByStart(list);
  }

  /** Tasks: outermost agent spans (each with its subtree), else one task with every span of the trace. */
  tasks(): { root: SourceSpan; spans: SourceSpan[] }[] {
    const agents = this.spans.filter((span) => this.role(span) === 'agent' && !this.ancestors(span).some((ancestor) => this.role(ancestor) === 'agent'));
    if (agents.length <= 1) {
      const root = this.roots.length === 1 ? this.roots[0]! : (agents[0] ?? sortByStart([...this.roots])[0]!);
      return [{ root: agents[0] ?? root, spans: sortByStart([...this.spans]) }];
    }
    return sortByStart(agents).map((agent) => ({ root: agent, spans: this.subtree(agent) }));
  }
}

export function sortByStart(spans: SourceSpan[]): SourceSpan[] {
  return spans
    .map((span, index) => ({ span, index }))
    .sort((left, right) => (left.span.startNs < right.span.startNs ? -1 : left.span.startNs > right.span.startNs ? 1 : left.index - right.index))
    .map(({ span }) => span);
}

/** Spans grouped by trace id, in first-seen order. */
export function groupByTrace(spans: readonly SourceSpan[]): Map<string, SourceSpan[]> {
  const traces = new Map<string, SourceSpan[]>();
  for (const span of spans) {
    const list = traces.get(span.traceId) ?? [];
    list.push(span);
    traces.set(span.traceId, list);
  }
  return traces;
}
