/**
 * Trajectories of finished runs, as training data reads them: the conversation in OpenAI form, the
 * tools that task was offered (`toolsOf`), the verdict and scores.
 * Filters (success, a scorer's value, steps, duplicates) apply to every output format.
 */
import type { LoadedRun, ReportTask } from '../report/run-reader.js';

export type TrainingMessage = Record<string, unknown> & { role: string };

export interface ExportTrajectory {
  taskId: string;
  /** test_case_uid (else task id): what groups the rollouts of one task across repeats and runs. */
  groupKey: string;
  run: string;
  model: string | null;
  messages: TrainingMessage[];
  tools: { type: 'function'; function: { name: string; description: string | null; parameters: unknown } }[];
  /** true/false when scored, null when not (an imported run before `score`). */
  success: boolean | null;
  /** The chosen scorer's value (--scorer), else 1/0 from success; null when unscored. */
  score: number | null;
  scores: Record<string, number>;
  steps: number;
}

export interface ExportFilters {
  onlySuccess?: boolean;
  minScore?: number;
  maxSteps?: number;
  dedupe?: boolean;
  /** Which scorer's value is the score (default: success as 1/0). */
  scorer?: string;
}

type Row = ReportTask['row'] & Record<string, unknown>;

/** Imported rows keep `success` null until scored: the reader reads that as false, their empty scores say it. */
export function isScored(row: Row): boolean {
  const scores = row.scores as Record<string, unknown> | undefined;
  return !(typeof row.source_format === 'string' && (!scores || Object.keys(scores).length === 0));
}

function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** The run's `offered_tools` (metadata.json) for the row's agent type: every tool any of its tasks was offered. */
function runTools(row: Row, run: LoadedRun): unknown[] | undefined {
  const offered = (run.metadata as Record<string, unknown> | null | undefined)?.offered_tools as Record<string, unknown> | undefined;
  const forAgent = offered?.[row.agent_type ?? 'tool'];
  return Array.isArray(forAgent) ? forAgent : undefined;
}

function nameOf(definition: unknown): unknown {
  if (typeof definition !== 'object' || definition === null) return undefined;
  const entry = definition as { name?: unknown; function?: { name?: unknown } };
  return entry.function?.name ?? entry.name;
}

/**
 * The tools the row's task was offered: the row's definitions (imports), else its `tools_offered` names
 * looked up in the run's `offered_tools`, else the trace's `gen_ai.tool.definitions`, else (runs older
 * than `tools_offered`) the run's `offered_tools` for the row's agent type.
 */
function toolsOf(row: Row, task: ReportTask, run: LoadedRun): ExportTrajectory['tools'] {
  let definitions = Array.isArray(row.tool_definitions) && row.tool_definitions.length ? (row.tool_definitions as unknown[]) : undefined;
  const named = Array.isArray(row.tools_offered) ? (row.tools_offered as unknown[]) : undefined;
  const runWide = runTools(row, run);
  if (!definitions && named && runWide) {
    // The task's own set, exactly (even when empty): the run-wide list is only where the definitions are.
    const byName = new Map(runWide.map((definition) => [nameOf(definition), definition]));
    definitions = named.flatMap((name) => (byName.has(name) ? [byName.get(name)] : []));
  }
  if (!definitions) {
    for (const span of task.trace?.spans ?? []) {
      const parsed = parseJson(span.attributes?.['gen_ai.tool.definitions']);
      if (Array.isArray(parsed) && parsed.length) {
        definitions = parsed;
        break;
      }
    }
  }
  definitions ??= runWide;
  return (definitions ?? []).flatMap((definition) => {
    if (typeof definition !== 'object' || definition === null) return [];
    const entry = definition as Record<string, unknown>;
    const fn = (typeof entry.function === 'object' && entry.function !== null ? entry.function : entry) as Record<string, unknown>;
    if (typeof fn.name !== 'string') return [];
    return [{ type: 'function' as const, function: { name: fn.name, description: typeof fn.description === 'string' ? fn.description : null, parameters: fn.parameters ?? { type: 'object', properties: {} } } }];
  });
}

/** OpenAI-form messages with a tool message's `name` added (chat templates of TRL models want it). */
function messagesOf(row: Row): TrainingMessage[] {
  const raw = (row.messages ?? []).filter((message): message is TrainingMessage => typeof message === 'object' && message !== null && typeof (message as { role?: unknown }).role === 'string');
  const callNames = new Map<string, string>();
  for (const message of raw) {
    for (const call of (message.tool_calls as { id?: string; function?: { name?: string } }[] | undefined) ?? []) {
      if (call.id && call.function?.name) callNames.set(call.id, call.function.name);
    }
  }
  return raw.map((message) => {
    if (message.role !== 'tool') return message;
    const name = callNames.get(String(message.tool_call_id));
    return name && message.name === undefined ? { ...message, name } : message;
  });
}

function numericScores(row: Row): Record<string, number> {
  const scores = (row.scores ?? {}) as Record<string, { value?: unknown } | null>;
  return Object.fromEntries(Object.entries(scores).flatMap(([name, score]) => (typeof score?.value === 'number' ? [[name, score.value]] : [])));
}

export function trajectoriesOf(runs: readonly LoadedRun[], filters: ExportFilters = {}): { trajectories: ExportTrajectory[]; dropped: Record<string, number> } {
  const dropped: Record<string, number> = { unscored: 0, failed: 0, score: 0, steps: 0, duplicate: 0, empty: 0 };
  const seen = new Set<string>();
  const trajectories: ExportTrajectory[] = [];
  for (const run of runs) {
    for (const task of run.tasks) {
      const row = task.row as Row;
      const scored = isScored(row);
      const scores = numericScores(row);
      const success = scored ? row.success : null;
      const score = filters.scorer ? (scores[filters.scorer] ?? null) : success === null ? null : success ? 1 : 0;
      const messages = messagesOf(row);
      const steps = row.steps ?? messages.filter((message) => message.role === 'assistant').length;
      if (!messages.length) {
        dropped.empty!++;
        continue;
      }
      if (filters.onlySuccess && success !== true) {
        dropped[success === null ? 'unscored' : 'failed']!++;
        continue;
      }
      if (filters.minScore !== undefined && (score === null || score < filters.minScore)) {
        dropped[score === null ? 'unscored' : 'score']!++;
        continue;
      }
      if (filters.maxSteps !== undefined && steps > filters.maxSteps) {
        dropped.steps!++;
        continue;
      }
      const key = JSON.stringify(messages);
      if (filters.dedupe && seen.has(key)) {
        dropped.duplicate!++;
        continue;
      }
      seen.add(key);
      trajectories.push({ taskId: row.task_id ?? task.uid, groupKey: task.uid, run: run.label, model: row.model ?? null, messages, tools: toolsOf(row, task, run), success, score, scores, steps });
    }
  }
  return { trajectories, dropped };
}
