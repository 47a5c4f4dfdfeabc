/**
 * `agent-eval failures`: the failed tasks of one or many runs, in clusters, written as a task dataset
 * (the original task rows plus failure_cluster, failure_cluster_id and failed_in) that `agent-eval run
 * --dataset-name` loads; optionally named by a model, extended with harder generated variants and
 * pushed to a private Hub dataset with a card that says where it came from.
 */
import { stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { isScored } from '../export/trajectories.js';
import type { ReportTask } from '../report/run-reader.js';
import { taskLookup } from '../import/task-rows.js';
import { clusterFailures, clusterName, type FailedTask } from './clusters.js';

export interface FailuresOptions {
  runs: string[];
  output: string;
  clusters: number | 'auto';
  judge?: { model: string; baseUrl?: string };
  variants?: number;
  push?: string;
  /** Replace an existing output file. */
  force?: boolean;
  env: Record<string, string | undefined>;
}

/** -o must be a file `agent-eval run --dataset-name` loads (.jsonl, or .json as one array), new unless forced. */
async function checkOutputFile(output: string, force: boolean): Promise<void> {
  const extension = extname(output).toLowerCase();
  if (extension !== '.jsonl' && extension !== '.json') throw new InputError(`-o ${output}: give a .jsonl or .json file (what agent-eval run --dataset-name loads)`);
  const existing = await stat(output).catch(() => null);
  if (existing?.isDirectory()) throw new InputError(`-o ${output}: is a directory`);
  if (existing && !force) throw new InputError(`-o ${output}: already exists (use --force to replace it)`);
}

export interface ClusterSummary {
  id: number;
  name: string;
  size: number;
  examples: string[];
  models: string[];
}

export interface FailuresSummary {
  path: string;
  failed: number;
  tasks: number;
  variants: number;
  clusters: ClusterSummary[];
  unscored: number;
  url?: string;
}

interface Failure {
  task: ReportTask;
  taskRow: Record<string, unknown>;
  run: string;
  model: string | null;
  text: string;
}

/** What a failure says: error, reason detail, erroring tool outputs, failed judges' explanations. */
function failureText(task: ReportTask): string {
  const row = task.row as Record<string, unknown>;
  const parts = [row.error, row.failure_detail];
  for (const call of task.row.tool_calls ?? []) if (call.is_error) parts.push(call.output);
  const scores = (row.scores ?? {}) as Record<string, { passed?: boolean; explanation?: string } | null>;
  for (const score of Object.values(scores)) if (score && score.passed === false) parts.push(score.explanation);
  return parts.filter((part): part is string => typeof part === 'string' && part.trim() !== '').join('\n');
}

function groupOf(task: ReportTask): FailedTask['group'] {
  const row = task.row;
  const erroring = row.tool_calls?.find((call) => call.is_error)?.name;
  return { reason: row.failure_reason ?? row.error_kind ?? 'failed', tool: erroring ?? (row as { expected_tool?: string | null }).expected_tool ?? null, category: row.category ?? null };
}

export async function collectFailures(options: FailuresOptions): Promise<FailuresSummary> {
  await checkOutputFile(options.output, options.force ?? false);
  const { loadRuns } = await import('../report/run-sources.js');
  const runs = await loadRuns(options.runs, { env: options.env });
  const failures: Failure[] = [];
  let unscored = 0;
  for (const run of runs) {
    const lookup = await taskLookup(run);
    for (const task of run.tasks) {
      if (!isScored(task.row as ReportTask['row'] & Record<string, unknown>)) {
        unscored++;
        continue;
      }
      if (task.row.success) continue;
      failures.push({ task, taskRow: lookup(task), run: run.label, model: task.row.model ?? run.metadata?.model ?? null, text: failureText(task) });
    }
  }
  if (!failures.length && unscored) throw new InputError(`${options.runs.join(', ')}: ${unscored} task(s) not scored yet; run agent-eval score first`);
  const clusters = clusterFailures(failures.map((failure) => ({ group: groupOf(failure.task), text: `${failure.text}\n${String(failure.task.row.response ?? '')}` })), options.clusters);
  const judge = options.judge ? await (await import('./judge.js')).createJudge({ ...options.judge, env: options.env }) : undefined;
  const summaries: ClusterSummary[] = [];
  const clusterOf = new Map<number, ClusterSummary>();
  for (const cluster of clusters) {
    const members = cluster.members.map((index) => failures[index]!);
    const fallback = clusterName(cluster);
    const name = judge
      ? await (await import('./judge.js')).nameCluster(judge, members.slice(0, 5).map((member) => ({ prompt: String(member.taskRow.prompt ?? ''), failure: member.text || String(member.task.row.response ?? 'no answer') })), fallback)
      : fallback;
    const summary = { id: cluster.id, name, size: members.length, examples: [...new Set(members.map((member) => String(member.taskRow.id)))].slice(0, 3), models: [...new Set(members.map((member) => member.model).filter((model): model is string => model !== null))] };
    summaries.push(summary);
    for (const index of cluster.members) clusterOf.set(index, summary);
  }
  // One row per task id: the cluster of its first failure, every run and model it failed in.
  const rows = new Map<string, Record<string, unknown>>();
  failures.forEach((failure, index) => {
    const id = String(failure.taskRow.id);
    const existing = rows.get(id);
    const where = { run: failure.run, model: failure.model };
    if (existing) {
      (existing.failed_in as unknown[]).push(where);
      return;
    }
    const cluster = clusterOf.get(index)!;
    rows.set(id, { ...failure.taskRow, failure_cluster: cluster.name, failure_cluster_id: cluster.id, failed_in: [where] });
  });
  let variants = 0;
  if (options.variants && judge) {
    const { harderVariants } = await import('./judge.js');
    for (const [id, row] of [...rows.entries()]) {
      const failure = failures.find((candidate) => String(candidate.taskRow.id) === id)!;
      const generated = await harderVariants(judge, row, failure.text || 'wrong or missing answer', options.variants);
      generated.forEach((variant, index) => {
        const { failed_in: _failedIn, expected_answer: _answer, expected_keywords: _keywords, ...base } = row;
        rows.set(`${id}__variant_${index + 1}`, { ...base, ...variant, id: `${id}__variant_${index + 1}`, generated: true, variant_of: id, generated_by: options.judge!.model });
        variants++;
      });
    }
  }
  const path = resolve(options.output);
  const { encodeRows, writeFileAtomic } = await import('../export/export-run.js');
  const encoded = await encodeRows([...rows.values()], path, {});
  // A .json file holds one JSON array of the rows (the task loader reads .json files that way).
  await writeFileAtomic(path, extname(path).toLowerCase() === '.json' ? `[\n${String(encoded).trimEnd().split('\n').join(',\n')}\n]\n` : encoded);
  const result: FailuresSummary = { path, failed: failures.length, tasks: rows.size - variants, variants, clusters: summaries, unscored };
  if (options.push) {
    const { pushFile } = await import('../export/export-run.js');
    const card = [
      '---', 'license: other', 'tags: [agent-eval, failures]', '---', `# ${options.push}`, '',
      `Failed tasks collected by agent-eval failures from: ${options.runs.join(', ')}.`,
      `${result.tasks} task(s) (${failures.length} failure(s)) in ${summaries.length} cluster(s)${variants ? `, plus ${variants} generated variant(s) (\`generated: true\`, by ${options.judge!.model})` : ''}.`,
      '', '| id | cluster | size |', '|---|---|---|', ...summaries.map((cluster) => `| ${cluster.id} | ${cluster.name.replace(/\|/g, '/')} | ${cluster.size} |`), '',
      'Load it with `agent-eval run --dataset-name <file>.jsonl` (columns failure_cluster, failure_cluster_id, failed_in).',
    ].join('\n');
    result.url = await pushFile(options.push, path, card, options.env);
  }
  return result;
}
