import { join } from 'node:path';
import { RunStoppedError } from '../errors.js';
import { describeFileError, jsonText, writeJsonAtomic } from '../eval/run-directory.js';
import { SecretRedactor } from '../secrets/redactor.js';
import { withoutHomeFolder } from '../eval/portable-paths.js';
import { redactRunOptions } from '../telemetry/redaction.js';
import { NANOSECOND_KEYS } from '../telemetry/trace-document.js';
import type { RunResult, TaskResult } from '../eval/types.js';
import type { TaskSetSource } from '../tasks/load.js';
import { leaderboardRow, runDirectoryLocations } from './leaderboard-row.js';
import { metricsDocument } from './metrics.js';
import { compactTimestamp } from './numbers.js';
import { JsonArrayFile } from './json-array-file.js';
import { resultRow } from './result-rows.js';
import { AGENT_EVAL_VERSION } from '../version.js';

export interface LocalOutput {
  directory: string;
  files: string[];
  leaderboard: ReturnType<typeof leaderboardRow>;
}

/** Where the tasks came from (for a Hub dataset, the commit sha), when the runner recorded it. */
function datasetSource(run: RunResult) {
  const source = (run as RunResult & { datasetSource?: TaskSetSource }).datasetSource;
  return source ? { kind: source.kind, dataset: source.dataset, split: source.split, revision: source.revision ?? null, sha: source.sha ?? null, pinned: source.pinned } : null;
}

/**
 * results.json and traces.json in one pass over the journal (test_index order), one row at a time:
 * the files are never whole in memory. Returns how many rows each holds.
 */
async function writeResultFiles(run: RunResult, resultsPath: string, tracesPath: string): Promise<{ results: number; traces: number }> {
  const redactor = run.redactor ?? SecretRedactor.from({ env: process.env });
  const results = await JsonArrayFile.create(resultsPath);
  let traces: JsonArrayFile | undefined;
  try {
    traces = await JsonArrayFile.create(tracesPath);
    const rows = run.readResults()[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<TaskResult>;
      try {
        next = await rows.next();
      } catch (error) {
        throw new RunStoppedError(`cannot read ${run.journal.path} (${describeFileError(error)})`, { cause: error });
      }
      if (next.done) break;
      const result = next.value;
      await results.add(jsonText(resultRow(result, run), undefined, redactor));
      if (result.trace) await traces.add(jsonText(result.trace, NANOSECOND_KEYS, redactor));
    }
  } catch (error) {
    await results.abort();
    await traces?.abort();
    throw error;
  }
  await results.commit();
  await traces.commit();
  return { results: results.count, traces: traces.count };
}

/**
 * Writes the run's five summary files (SMOLTRACE's names and schemas, spec 6) next to the journal.
 * Each file is written atomically; metadata.json last, so a complete metadata means complete files.
 */
export async function writeLocalJson(run: RunResult, options: { submittedBy: string }): Promise<LocalOutput> {
  const directory = run.runDirectory;
  const path = (name: string) => join(directory, name);
  const metrics = metricsDocument(run);
  // Published files name places, not people: the home folder is written as ~.
  const leaderboard = withoutHomeFolder(leaderboardRow(run, runDirectoryLocations(run), options.submittedBy));
  const written = await writeResultFiles(run, path('results.json'), path('traces.json'));
  await writeJsonAtomic(path('metrics.json'), metrics, undefined, run.redactor);
  await writeJsonAtomic(path('leaderboard_row.json'), leaderboard, undefined, run.redactor);
  const files = ['results.json', 'traces.json', 'metrics.json', 'leaderboard_row.json', 'metadata.json', 'results.jsonl'];
  await writeJsonAtomic(path('metadata.json'), withoutHomeFolder({
    model: run.reportedModel ?? run.options.model,
    agent_type: run.options.agentType,
    dataset_used: run.options.datasetName,
    timestamp: compactTimestamp(run.startedAt),
    num_results: written.results,
    num_traces: written.traces,
    num_metrics: metrics.aggregates.length,
    // agent-eval fields
    run_id: run.runId,
    agent_eval_version: AGENT_EVAL_VERSION,
    status: run.interrupted ? 'interrupted' : 'completed',
    ...(run.stoppedBecause && { stopped_because: run.stoppedBecause }),
    provider: run.options.provider,
    model_provider: run.modelProvider,
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    planned_tests: run.plannedTasks,
    notices: run.notices,
    dataset_source: datasetSource(run),
    ...(run.localModel && { local_model: run.localModel }),
    ...(run.sandboxIsolation && { sandbox_isolation: run.sandboxIsolation }),
    ...(run.options.shard && { shard: run.options.shard }),
    ...(run.cache && { cache: run.cache }),
    ...(run.concurrency && { concurrency: run.concurrency }),
    files,
    environment: { ...run.environment, gpu_names: run.energy.gpuNames },
    energy: {
      sampling: run.energy.enabled,
      gpu_available: run.energy.gpuAvailable,
      gpu_unavailable_reason: run.energy.gpuUnavailableReason,
      carbon_intensity_g_per_kwh: run.energy.settings.intensity.gramsPerKWh,
      carbon_intensity_source: run.energy.settings.intensity.source,
      pue: run.energy.settings.pue,
      electricity_price_usd_per_kwh: run.energy.settings.pricePerKWh,
      cpu_estimate: run.energy.cpuEstimate,
    },
    prompt_template_sha256: run.promptHashes,
    ...(run.offeredTools && { offered_tools: run.offeredTools }),
    generation_parameters: run.generation,
    run_options: redactRunOptions(run.options),
  }), undefined, run.redactor);
  return { directory, files, leaderboard };
}
