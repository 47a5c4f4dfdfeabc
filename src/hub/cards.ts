/**
 * Dataset cards (README.md) for the Hub datasets. The YAML front matter keeps the `configs` entry
 * that `datasets.load_dataset` and the viewer need (SMOLTRACE's cards overwrote it) and records the
 * run under `agent_eval:` (run id, telemetry on/off, traces dataset) for `agent-eval cleanup`.
 * YAML is written in 1.1 style so PyYAML reads "off" and "20260101_120000" as strings.
 */
import { stringify } from 'yaml';
import { DESCRIPTIONS } from './columns.js';
import { describeParquetType, type ParquetColumnSpec } from './parquet-schema.js';

export type RunDatasetKind = 'results' | 'traces' | 'metrics';

export const CARD_TAGS = ['agent-eval', 'smoltrace', 'evaluation', 'benchmark', 'llm', 'agents'];
/** Tag on the results card of a run made without telemetry (it has no traces dataset on purpose). */
export const TELEMETRY_OFF_TAG = 'telemetry-off';

export interface CardRun {
  runId: string;
  model: string;
  agentType: string;
  numTests: number;
  /** YYYYMMDD_HHMMSS in UTC. */
  timestampCompact: string;
  datasetUsed?: string | null;
  telemetry: boolean;
  tracesRepo: string | null;
  /** The shard (`run --shard I/N`) this dataset holds; absent for a whole run. */
  shard?: { index: number; count: number } | null;
}

/** What cleanup reads back from a results card (`cardData.agent_eval`). */
export interface CardRunMetadata {
  kind: string | null;
  runId: string | null;
  telemetry: 'on' | 'off' | null;
  tracesDataset: string | null | undefined;
  /** `agent_eval.shard` ({index, count}); absent for a whole run. */
  shard?: { index: number; count: number };
}

/** "20260102_030405" -> "2026-01-02 03:04:05 UTC" (the input unchanged when it is not that shape). */
export function utcFromCompact(timestamp: string): string {
  const match = /^(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})$/.exec(timestamp);
  return match ? `${match[1]}-${match[2]}-${match[3]} ${match[4]}:${match[5]}:${match[6]} UTC` : timestamp;
}

const cell = (value: unknown) => String(value ?? '').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

function frontMatter(data: Record<string, unknown>): string {
  return `---\n${stringify(data, { version: '1.1', lineWidth: 0 })}---\n`;
}

function configs(path: string) {
  return [{ config_name: 'default', data_files: [{ split: 'train', path }] }];
}

function columnTable(columns: readonly ParquetColumnSpec[]): string {
  const lines = ['| Column | Type | Description |', '|---|---|---|'];
  for (const column of columns) {
    lines.push(`| \`${cell(column.name)}\` | \`${cell(describeParquetType(column.type))}\` | ${cell(DESCRIPTIONS[column.name] ?? '')} |`);
  }
  return lines.join('\n');
}

/** How the nested columns are typed (the same in every run, so runs concatenate). */
function schemaNote(nested: readonly ParquetColumnSpec[]): string {
  const names = nested.map((column) => `\`${column.name}\``).join(', ');
  return (
    `${names} are Parquet lists and structs with the same schema in every run, so \`datasets.concatenate_datasets\` ` +
    'joins runs. Free-form values whose keys vary (tool call arguments, span, event and resource attributes) are JSON ' +
    'text inside them (type `string (JSON)`); decode those with `json.loads`. Timestamps are UTC; span times are integer nanoseconds.'
  );
}

function loadSection(repo: string, columns: readonly ParquetColumnSpec[]): string {
  const jsonColumns = columns.filter((column) => column.type === 'json').map((column) => `\`${column.name}\``);
  const nested = columns.filter((column) => typeof column.type === 'object');
  return [
    '## Load',
    '',
    '```python',
    'from datasets import load_dataset',
    '',
    `ds = load_dataset("${repo}", split="train")`,
    '```',
    ...(jsonColumns.length ? ['', `${jsonColumns.join(', ')} hold JSON text; decode with \`json.loads\`.`] : []),
    ...(nested.length ? ['', schemaNote(nested)] : []),
  ].join('\n');
}

const TITLES: Record<RunDatasetKind, string> = {
  results: 'One row per task: outcome, tools used, tokens, cost and timing.',
  traces: 'One row per task trace: OpenTelemetry spans with GenAI attributes.',
  metrics: 'GPU, energy and CO2 time series of the run (one row per timestamp and GPU).',
};

/** The card of a per-run dataset (results, traces or metrics). */
export function runDatasetCard(
  kind: RunDatasetKind,
  repo: string,
  run: CardRun,
  columns: readonly ParquetColumnSpec[],
  aggregates: readonly unknown[] = [],
): string {
  const tags = [...CARD_TAGS, kind, ...(run.telemetry ? [] : [TELEMETRY_OFF_TAG])];
  const head = frontMatter({
    license: 'apache-2.0',
    pretty_name: `agent-eval ${kind}: ${run.model} (${run.runId})`,
    tags,
    configs: configs('data/train-*'),
    agent_eval: {
      kind,
      run_id: run.runId,
      model: run.model,
      agent_type: run.agentType,
      timestamp: run.timestampCompact,
      telemetry: run.telemetry ? 'on' : 'off',
      traces_dataset: run.tracesRepo,
      ...(run.shard && { shard: { index: run.shard.index, count: run.shard.count } }),
    },
  });
  const info = [
    '| | |',
    '|---|---|',
    `| Model | \`${cell(run.model)}\` |`,
    `| Run ID | \`${cell(run.runId)}\` |`,
    `| Agent type | ${cell(run.agentType)} |`,
    ...(run.shard ? [`| Shard | ${run.shard.index}/${run.shard.count} (part of run ${cell(run.runId)}; merge the shards with \`agent-eval merge\`) |`] : []),
    `| Tests | ${run.numTests} |`,
    `| Generated | ${utcFromCompact(run.timestampCompact)} |`,
    ...(run.datasetUsed ? [`| Task dataset | \`${cell(run.datasetUsed)}\` |`] : []),
    `| Telemetry | ${run.telemetry ? 'on' : 'off (no traces dataset)'} |`,
  ].join('\n');
  const aggregateTable = aggregates.length
    ? [
        '',
        '## Run aggregates',
        '',
        '| Name | Type | Value |',
        '|---|---|---|',
        ...aggregates.map((item) => {
          const aggregate = (item ?? {}) as { name?: unknown; type?: unknown; data_points?: { value?: unknown }[] };
          return `| \`${cell(aggregate.name)}\` | ${cell(aggregate.type)} | ${cell(JSON.stringify(aggregate.data_points?.[0]?.value ?? null))} |`;
        }),
      ].join('\n')
    : '';
  return [
    head,
    `# agent-eval ${kind}: ${run.model}`,
    '',
    `${TITLES[kind]} Produced by agent-eval; the columns are compatible with SMOLTRACE.`,
    '',
    info,
    '',
    loadSection(repo, columns),
    aggregateTable,
    '',
    '## Columns',
    '',
    columnTable(columns),
    '',
  ].join('\n');
}

/** The leaderboard card: one Parquet file per run under data/, all with the same columns. */
export function leaderboardCard(repo: string, columns: readonly ParquetColumnSpec[]): string {
  return [
    frontMatter({
      license: 'apache-2.0',
      pretty_name: 'agent-eval leaderboard',
      tags: [...CARD_TAGS, 'leaderboard'],
      configs: configs('data/*.parquet'),
      agent_eval: { kind: 'leaderboard' },
    }),
    '# agent-eval leaderboard',
    '',
    'One row per evaluation run. Each run adds its own file `data/{run_id}.parquet` in a single commit and never',
    'rewrites the others, so runs pushed at the same time never lose rows. Every file has the same columns.',
    'The grouping columns `use_case`, `team`, `purpose` and `suite_version` are strings, null when not given.',
    '',
    loadSection(repo, columns),
    '',
    '## Columns',
    '',
    columnTable(columns),
    '',
  ].join('\n');
}

/** `{shard}` from `agent_eval.shard` as written by runDatasetCard; empty when absent or not that shape. */
function cardShard(value: unknown): Pick<CardRunMetadata, 'shard'> {
  const shard = (typeof value === 'object' && value !== null ? value : {}) as { index?: unknown; count?: unknown };
  return Number.isInteger(shard.index) && Number.isInteger(shard.count) ? { shard: { index: shard.index as number, count: shard.count as number } } : {};
}

/** Reads `agent_eval` from a card's front matter as the Hub returns it (`cardData`). */
export function cardRunMetadata(cardData: Record<string, unknown> | null): CardRunMetadata | null {
  const section = cardData?.agent_eval;
  const tags = Array.isArray(cardData?.tags) ? (cardData.tags as unknown[]) : [];
  if (typeof section !== 'object' || section === null) {
    return tags.includes(TELEMETRY_OFF_TAG) ? { kind: null, runId: null, telemetry: 'off', tracesDataset: undefined } : null;
  }
  const value = section as Record<string, unknown>;
  // PyYAML-style readers turn an unquoted `off` into false.
  const telemetry = value.telemetry === 'off' || value.telemetry === false || tags.includes(TELEMETRY_OFF_TAG) ? 'off' : value.telemetry === 'on' || value.telemetry === true ? 'on' : null;
  return {
    kind: typeof value.kind === 'string' ? value.kind : null,
    runId: typeof value.run_id === 'string' ? value.run_id : null,
    telemetry,
    tracesDataset: value.traces_dataset === null ? null : typeof value.traces_dataset === 'string' ? value.traces_dataset : undefined,
    ...cardShard(value.shard),
  };
}
