/**
 * OpenTelemetry trace files → trajectories: OTLP JSON (one document, or one per line as a collector's
 * file exporter writes), a JSON list of spans, or traces.json documents. A trace that cannot be used
 * (a cycle, no model or tool span) is a warning naming it; a file with nothing usable is an InputError.
 */
import { describeIssue } from '../report/run-schemas.js';
import { otlpDocumentSchema, spanListSchema, spansFromDicts, spansFromOtlp, traceDocumentListSchema, type SourceSpan } from './spans.js';
import { groupByTrace, SpanTree, TraceProblem } from './span-tree.js';
import { trajectoryOf, type Trajectory } from './trajectory.js';

export class ImportProblem extends Error {}

export interface ParsedSource {
  trajectories: Trajectory[];
  warnings: string[];
}

/** JSON values of a file: one document, or one per non-empty line (JSON Lines). */
export function jsonDocuments(path: string, text: string): unknown[] {
  try {
    return [JSON.parse(text)];
  } catch (wholeError) {
    const lines = text.split('\n');
    const values: unknown[] = [];
    for (const [index, line] of lines.entries()) {
      if (!line.trim()) continue;
      try {
        values.push(JSON.parse(line));
      } catch {
        if (values.length === 0) throw new ImportProblem(`${path}: not valid JSON (${(wholeError as Error).message})`);
        throw new ImportProblem(`${path}: line ${index + 1}: not valid JSON`);
      }
    }
    if (values.length === 0) throw new ImportProblem(`${path}: empty file`);
    return values;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether a parsed value looks like OTel spans in any of the accepted shapes. */
export function looksLikeOtel(values: readonly unknown[]): boolean {
  const value = values[0];
  if (isRecord(value) && 'resourceSpans' in value) return true;
  if (!Array.isArray(value) || value.length === 0) return false;
  const head = value[0];
  return isRecord(head) && (('span_id' in head && 'name' in head) || ('spans' in head && 'trace_id' in head && !('llm_steps' in head)));
}

/** Spans of every document in the file. */
function spansOf(path: string, values: readonly unknown[]): SourceSpan[] {
  const spans: SourceSpan[] = [];
  for (const [index, value] of values.entries()) {
    const where = values.length > 1 ? `${path}: line ${index + 1}` : path;
    if (isRecord(value) && 'resourceSpans' in value) {
      const parsed = otlpDocumentSchema.safeParse(value);
      if (!parsed.success) throw new ImportProblem(`${where}: not an OTLP JSON trace (${describeIssue(parsed.error)})`);
      spans.push(...spansFromOtlp(parsed.data));
    } else if (Array.isArray(value) && isRecord(value[0]) && 'spans' in value[0]) {
      const parsed = traceDocumentListSchema.safeParse(value);
      if (!parsed.success) throw new ImportProblem(`${where}: not a list of trace documents (${describeIssue(parsed.error, 'trace')})`);
      for (const document of parsed.data) spans.push(...spansFromDicts(document.spans, document.trace_id));
    } else if (Array.isArray(value)) {
      const parsed = spanListSchema.safeParse(value);
      if (!parsed.success) throw new ImportProblem(`${where}: not a list of spans (${describeIssue(parsed.error, 'span')})`);
      spans.push(...spansFromDicts(parsed.data));
    } else {
      throw new ImportProblem(`${where}: not a trace (expected OTLP JSON with resourceSpans, or a JSON list of spans)`);
    }
  }
  return spans;
}

/** Trajectories of the traces in `spans`; problems of single traces become warnings. */
export function trajectoriesFromSpans(path: string, spans: readonly SourceSpan[]): ParsedSource {
  const trajectories: Trajectory[] = [];
  const warnings: string[] = [];
  const problems: string[] = [];
  const traces = groupByTrace(spans);
  for (const [traceId, traceSpans] of traces) {
    const label = `${path}: trace ${traceId || '(no trace id)'}`;
    try {
      if (!traceId) throw new TraceProblem('spans without a trace id');
      const tree = new SpanTree(traceId, traceSpans);
      for (const warning of tree.warnings) warnings.push(`${label}: ${warning}`);
      for (const task of tree.tasks()) {
        const hasWork = task.spans.some((span) => tree.role(span) === 'model' || tree.role(span) === 'tool');
        if (!hasWork) throw new TraceProblem('no GenAI or OpenInference model/tool spans (unknown attributes)');
        trajectories.push(trajectoryOf(tree, task));
      }
    } catch (error) {
      if (!(error instanceof TraceProblem)) throw error;
      problems.push(`${label}: ${error.message}`);
    }
  }
  if (trajectories.length === 0) {
    throw new ImportProblem(problems[0] ? `${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more trace(s))` : ''}` : `${path}: no spans`);
  }
  if (problems.length > trajectories.length) {
    throw new ImportProblem(`${path}: ${problems.length} of ${traces.size} traces unusable, first: ${problems[0]!.slice(path.length + 2)}`);
  }
  return { trajectories, warnings: [...warnings, ...problems.map((problem) => `${problem}; skipped`)] };
}

export function parseOtelFile(path: string, values: readonly unknown[]): ParsedSource {
  return trajectoriesFromSpans(path, spansOf(path, values));
}
