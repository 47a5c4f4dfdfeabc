import { setMaxListeners } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError, RunStoppedError } from '../errors.js';
import { EndpointHealth, endpointName } from '../models/endpoint-health.js';
import { createProvider } from '../models/factory.js';
import { runProviderLayers } from '../models/provider-layers.js';
import { weakIsolationNotice } from '../sandbox/launch.js';
import type { SandboxPool } from '../sandbox/pool.js';
import { toOpenAITools } from '../models/openai-messages.js';
import { sandboxToolSpec, toolSpec } from '../tools/spec.js';
import type { ModelProvider } from '../models/types.js';
import type { AnyTool } from '../tools/types.js';
import { AGENT_EVAL_VERSION } from '../version.js';
import { prepareRun, type PreparedRun, type WorkItem } from './prepare.js';
import { checkRunDirectory, createRunDirectory, describeFileError, writeJsonAtomic } from './run-directory.js';
import { createJudgeContext } from './scoring-setup.js';
import { Journal, JournalError, JOURNAL_FILE, readResumeState, rolloutKey } from './journal.js';
import { JournalPlaces, journalRecords, type JournalRecordAt } from './journal-reader.js';
import { RunTotals } from './run-totals.js';
import { redactRunOptions } from '../telemetry/redaction.js';
import { describeEnvironment } from './environment.js';
import { withoutHomeFolder } from './portable-paths.js';
import { EnergyMonitor, type EnergyReportForRun } from './energy.js';
import { setUpTracing } from './telemetry-setup.js';
import { redactingProvider } from './redacting-provider.js';
import { runTask, type TaskRunEnvironment } from './task-runner.js';
import { needsTaskInterpreter } from './executed-tasks.js';
import { closeAgents } from './agent-setup.js';
import type { ExternalAgent } from '../agents/external/types.js';
import { withDefaults, type RunOptionsInput } from './defaults.js';
import type { RunContext, RunOptions, RunResult, TaskResult } from './types.js';

/** Default seconds of nothing but failed connections after which a run stops (AGENT_EVAL_UNREACHABLE_SECONDS). */
export const UNREACHABLE_SECONDS = 15;

function unreachableWindowMs(env: RunContext['env']): number {
  const raw = env.AGENT_EVAL_UNREACHABLE_SECONDS?.trim();
  if (!raw) return UNREACHABLE_SECONDS * 1000;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new InputError(`AGENT_EVAL_UNREACHABLE_SECONDS: expected a number of seconds above 0, got '${raw}'`);
  return seconds * 1000;
}

/** Error kinds whose tasks a resume runs again: infrastructure always, timeouts with --retry-errors. */
function rerunKinds(options: RunOptions): ReadonlySet<string> {
  return new Set(options.retryErrors ? ['infrastructure', 'timeout'] : ['infrastructure']);
}

/**
 * The line for a run whose journal failed. A deleted run directory is put back with its journal,
 * copied from the journal's still-open (unlinked) file, so the run can still be resumed. `finished`
 * counts the tasks recorded (before a resume included).
 */
async function journalStopped(failure: JournalError, prepared: PreparedRun, journal: Journal, finished: number): Promise<RunStoppedError> {
  const directory = prepared.runDirectory;
  if (!failure.deleted) {
    return new RunStoppedError(`${failure.message}: stopped; the ${finished} finished task(s) journaled are kept; once it can be written, continue with --resume ${directory}`);
  }
  try {
    await mkdir(directory, { recursive: true });
    await journal.copyTo(join(directory, JOURNAL_FILE));
    await writeJsonAtomic(join(directory, 'metadata.json'), startMetadata(prepared), undefined, prepared.redactor);
  } catch (error) {
    return new RunStoppedError(`the run directory ${directory} was deleted during the run: stopped; its ${finished} finished task(s) could not be written back (${describeFileError(error)})`);
  }
  return new RunStoppedError(`the run directory ${directory} was deleted during the run: stopped; its ${finished} finished task(s) were written back there; continue with --resume ${directory}`);
}

/** The metadata written when a run starts; the sinks replace it with the full one at the end. */
function startMetadata(prepared: PreparedRun) {
  return withoutHomeFolder({
    run_id: prepared.runId,
    status: 'running',
    started_at: prepared.startedAt.toISOString(),
    agent_eval_version: AGENT_EVAL_VERSION,
    run_options: redactRunOptions(prepared.options),
    dataset_source: prepared.datasetSource,
    ...(prepared.localModel && { local_model: prepared.localModel }),
  });
}

/**
 * Runs `work` with at most `concurrency` tasks at once; stops taking new ones once aborted. Each item
 * is let go of once taken, so tasks leave memory as they run.
 */
async function runPool(work: (WorkItem | undefined)[], concurrency: number, signal: AbortSignal, runOne: (item: WorkItem) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (!signal.aborted && next < work.length) {
      const item = work[next]!;
      work[next++] = undefined;
      await runOne(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, work.length)) }, worker));
}

/** Starts the Python sandbox when code tasks are pending: stand-by interpreters warmed ahead (sandbox/standby.ts), none past the last task. */
async function startSandbox(prepared: PreparedRun, pending: readonly WorkItem[]): Promise<SandboxPool | undefined> {
  // Tool tasks scored by running tests need an interpreter too (executed-tasks.ts).
  const codeTasks = pending.filter((item) => item.agentType === 'code' || needsTaskInterpreter(item.task, prepared.options.scorers)).length;
  if (!codeTasks) return undefined;
  // A code task scored by tests takes two sessions, one after the other: the agent's, then the asserts' fresh one.
  const sessions = codeTasks + pending.filter((item) => item.agentType === 'code' && needsTaskInterpreter(item.task, prepared.options.scorers)).length;
  const { SandboxPool } = await import('../sandbox/pool.js');
  return SandboxPool.start({
    size: Math.min(prepared.options.parallelWorkers, codeTasks),
    sessions,
    tools: prepared.tools.filter((tool) => tool.name !== 'final_answer').map(sandboxToolSpec),
    authorizedImports: prepared.additionalImports,
    stepTimeoutMs: (prepared.options.codeTimeoutSeconds ?? 30) * 1000,
    ...(prepared.cacheDirectory && { snapshotCacheDir: join(prepared.cacheDirectory, 'sandbox') }),
    ...prepared.options.sandboxLimits,
  });
}

function describeExportError(error: unknown): string {
  const first = Array.isArray(error) ? error[0] : error;
  return first instanceof Error ? first.message : String(first);
}

export interface RunEvaluationOverrides {
  /** Evaluate this agent (made with `defineAgent`) instead of the built-in tool agent. */
  agent?: ExternalAgent;
  /** Use this provider instead of building one from the options (tests, custom providers). */
  provider?: ModelProvider;
  /** More tools for the agents (made with `defineTool`), before final_answer. */
  tools?: readonly AnyTool[];
}

/**
 * Runs an evaluation: validates everything first (bad input throws InputError and writes nothing),
 * then runs the tasks with bounded concurrency, appending each result to results.jsonl as it
 * finishes. A result leaves memory once journaled: the run keeps where its line lies and running
 * totals; the returned RunResult reads the results back from the journal (`readResults`). Writing
 * the summary files is the sinks' job.
 */
export async function runEvaluation(
  input: RunOptionsInput,
  context: RunContext = { env: process.env },
  overrides: RunEvaluationOverrides = {},
): Promise<RunResult> {
  const options = withDefaults(input);
  const prepared = await prepareRun(options, context, { loadLocalModel: !overrides.provider, ...(overrides.tools && { tools: overrides.tools }), ...(overrides.provider && { provider: overrides.provider }), ...(overrides.agent && { agent: overrides.agent }) });
  const now = context.now ?? (() => new Date());
  const windowMs = unreachableWindowMs(context.env);
  // The run stops itself (journal unwritable, endpoint unreachable) through `stop`; running tasks are dropped.
  const stop = new AbortController();
  const runSignal = context.signal ? AbortSignal.any([context.signal, stop.signal]) : stop.signal;
  // Every running task listens on it (one listener each, removed when the task ends): not a leak.
  setMaxListeners(0, runSignal);
  let stoppedBecause: string | undefined;
  const stopRun = (reason: string) => {
    stoppedBecause ??= reason;
    stop.abort(new Error(reason));
  };
  if (options.resume) await checkRunDirectory(prepared.runDirectory);
  else prepared.runDirectory = await createRunDirectory(prepared.runDirectory);

  const previous = options.resume ? await readResumeState(prepared.runDirectory, rerunKinds(prepared.options)) : { done: [], rerun: 0, dropped: 0 };
  const done = new Map(previous.done.map((record) => [record.key, record]));
  if (previous.dropped) prepared.notices.push(`resume: dropped ${previous.dropped} incomplete line(s) from ${join(prepared.runDirectory, JOURNAL_FILE)}`);
  if (previous.rerun) prepared.notices.push(`resume: running ${previous.rerun} task(s) again whose last record is an ${prepared.options.retryErrors ? 'infrastructure error or a timeout' : 'infrastructure error'}`);
  const pending: (WorkItem | undefined)[] = prepared.work.filter((item) => !done.has(rolloutKey(`${item.agentType}:${item.task.id}`, item.repeat)));
  // The task list leaves memory as the tasks run (the pool lets go of each); only its length is kept.
  const plannedTasks = prepared.work.length;

  await writeJsonAtomic(join(prepared.runDirectory, 'metadata.json'), startMetadata(prepared), undefined, prepared.redactor);
  await writeJsonAtomic(join(prepared.runDirectory, 'effective_policy.json'), prepared.policy, undefined, prepared.redactor);
  for (const message of prepared.notices) context.onEvent?.({ type: 'notice', message });
  context.onEvent?.({ type: 'run-start', runId: prepared.runId, runDirectory: prepared.runDirectory, total: plannedTasks, alreadyDone: plannedTasks - pending.length });

  // Every request failing to connect for `windowMs` stops the run: its remaining tasks are not recorded.
  const health = prepared.resolved.provider === 'transformers' ? undefined : new EndpointHealth(endpointName(prepared.resolved.baseUrl), windowMs, (endpoint, failingForMs) =>
    stopRun(`the model endpoint ${endpoint} is unreachable: every request for ${Math.round(failingForMs / 1000)} s failed to connect`),
  );
  // Record/replay around the provider; the concurrency limiter gates each attempt of its retry loop.
  const inProcess = Boolean(overrides.provider ?? prepared.provider);
  const layers = runProviderLayers(prepared.options, { ...(prepared.cacheDirectory && { cacheDirectory: prepared.cacheDirectory }), redactor: prepared.redactor, inProcess, onChange: (limit, max) => context.onEvent?.({ type: 'concurrency', limit, max }) });
  const provider: ModelProvider = layers.wrap(
    overrides.provider ??
    prepared.provider ??
    (await createProvider(prepared.resolved, {
      timeoutMs: prepared.options.requestTimeoutSeconds * 1000,
      retry: { maxRetries: prepared.options.maxRetries, baseDelayMs: 500, maxDelayMs: 60_000, health, ...(layers.limiter && { gate: layers.limiter }) },
    })));
  const environment: TaskRunEnvironment = {
    runId: prepared.runId,
    runDirectory: prepared.runDirectory,
    provider: redactingProvider(provider, prepared.redactor),
    tools: prepared.tools,
    agents: prepared.agents,
    generation: prepared.generation,
    timeoutMs: prepared.options.timeoutSeconds * 1000,
    toolContext: {
      workingDirectory: prepared.options.workingDirectory,
      now,
      redactor: prepared.redactor,
      ...(prepared.options.sandboxLimits?.writtenBytesPerTask && { writeLimitBytes: prepared.options.sandboxLimits.writtenBytesPerTask }),
    },
    runSignal,
    onEvent: context.onEvent,
    now,
    pricer: (call) => prepared.priceBook.price(call).costUsd,
    loadPrices: () => prepared.priceBook.load(),
    ...(prepared.options.scorers && { scorers: prepared.options.scorers }),
    codeTimeoutMs: (prepared.options.codeTimeoutSeconds ?? 30) * 1000,
  };
  const judge = prepared.judge
    ? await createJudgeContext(prepared.judge, {
      timeoutMs: prepared.options.requestTimeoutSeconds * 1000,
      maxRetries: prepared.options.maxRetries,
      price: (call) => prepared.priceBook.price(call).costUsd,
      redactor: prepared.redactor,
      wrap: layers.wrapAuxiliary,
    })
    : undefined;
  if (judge) environment.judge = judge.context;
  for (const setup of Object.values(prepared.agents)) setup?.dialogue?.useLayer(layers.wrapAuxiliary);

  const tracing = await setUpTracing(prepared.options, prepared.runId, context.env, prepared.redactor);
  environment.tracer = tracing?.tracer;
  environment.metrics = tracing?.metrics;
  const sandbox = await startSandbox(prepared, pending as WorkItem[]);
  prepared.work = [];
  environment.executor = sandbox;
  const isolationNotice = sandbox && weakIsolationNotice(sandbox.isolation);
  if (isolationNotice) {
    prepared.notices.push(isolationNotice);
    context.onEvent?.({ type: 'notice', message: isolationNotice });
  }
  const energy = new EnergyMonitor(prepared.energy);
  const energyNotice = await energy.start();
  if (energyNotice) {
    prepared.notices.push(energyNotice);
    context.onEvent?.({ type: 'notice', message: energyNotice });
  }
  const journal = await Journal.open(prepared.runDirectory, options.resume ? 'append' : 'create');
  // Per task, where its last journal line lies (a few numbers); the results themselves stay on disk.
  // A task is recorded once: a resume runs only tasks whose last line is not kept.
  const places = new JournalPlaces();
  const totals = new RunTotals();
  let reportedModel: string | undefined;
  const keep = (result: TaskResult, at: JournalRecordAt) => {
    reportedModel ??= result.model;
    places.add(result.test_index, at);
    totals.add(result);
  };
  let journalFailure: JournalError | undefined;
  let stopped: RunStoppedError | undefined;
  let energyReport: EnergyReportForRun | undefined;
  try {
    let resumed = 0;
    for await (const record of journalRecords<TaskResult>(journal.path, previous.done)) keep(record, previous.done[resumed++]!);
    await runPool(pending, prepared.options.parallelWorkers, runSignal, async (item) => {
      const finished = await runTask(item.task, item.agentType, item.testIndex, environment, item.repeat);
      if (!finished) return;
      // The one place a result row takes shape for every output (journal, results.json, traces, Hub,
      // console): the run's secrets are scrubbed from all its strings here.
      const json = prepared.redactor.json(finished);
      const result = JSON.parse(json) as TaskResult;
      let at: JournalRecordAt;
      try {
        at = await journal.appendJson(json);
      } catch (error) {
        if (!(error instanceof JournalError)) throw error;
        journalFailure ??= error;
        stopRun(error.message);
        // Written to a deleted journal: still in its open file, from which it is put back.
        if (error.at) keep(result, error.at);
        return;
      }
      keep(result, at);
      context.onEvent?.({ type: 'task-end', result, done: places.size, total: plannedTasks });
    });
  } finally {
    // Before the journal closes: a deleted one is copied back from its open file.
    if (journalFailure) stopped = await journalStopped(journalFailure, prepared, journal, places.size);
    await journal.close();
    await sandbox?.close();
    await prepared.mcp?.close();
    await closeAgents(prepared.agents);
    await prepared.python.close();
    energyReport = await energy.stop();
    await provider.close?.();
    await judge?.close();
    await tracing?.tracer.shutdown().catch((error: unknown) => {
      const message = `OTLP export to ${tracing.endpoint} failed (${describeExportError(error)}); traces.json is complete`;
      prepared.notices.push(message);
      context.onEvent?.({ type: 'notice', message });
    });
  }
  if (stopped) throw stopped;
  // The response store's size report (record/replay).
  const cacheReport = layers.reports().cache;
  if (cacheReport) {
    const message = `response cache (${cacheReport.mode}) ${cacheReport.dir}: ${cacheReport.hits} hit(s), ${cacheReport.misses} miss(es), ${cacheReport.written} response(s) written (${(cacheReport.written_bytes / 1024).toFixed(1)} KiB)`;
    prepared.notices.push(message);
    context.onEvent?.({ type: 'notice', message });
  }
  for (const model of prepared.priceBook.unknownModels()) {
    const message = `no price known for ${model}: its cost is recorded as null (give prices with --pricing)`;
    prepared.notices.push(message);
    context.onEvent?.({ type: 'notice', message });
  }
  const records = places.ordered();
  const readResults = () => journalRecords<TaskResult>(journal.path, records);
  return {
    runId: prepared.runId,
    runDirectory: prepared.runDirectory,
    options: prepared.options,
    ...(reportedModel && { reportedModel }),
    modelProvider: prepared.resolved.provider,
    modelId: prepared.resolved.modelId,
    startedAt: prepared.startedAt.toISOString(),
    finishedAt: now().toISOString(),
    totals,
    journal: { path: journal.path, records },
    readResults,
    loadResults: async () => {
      const results: TaskResult[] = [];
      for await (const result of readResults()) results.push(result);
      return results;
    },
    plannedTasks,
    interrupted: runSignal.aborted,
    ...(stoppedBecause && { stoppedBecause }),
    notices: prepared.notices,
    environment: await describeEnvironment(),
    promptHashes: prepared.promptHashes,
    offeredTools: offeredToolsOf(prepared),
    generation: prepared.generation,
    energy: energyReport!,
    clientMetrics: tracing ? await tracing.metrics.collect() : [],
    datasetSource: prepared.datasetSource,
    ...(prepared.localModel && { localModel: prepared.localModel }),
    redactor: prepared.redactor,
    ...(sandbox && { sandboxIsolation: sandbox.isolation }),
    ...layers.reports(),
  };
}

/** metadata.json `offered_tools`: the run's tools as OpenAI definitions, under each agent type (the same list). */
function offeredToolsOf(prepared: PreparedRun): Record<string, unknown[]> {
  const tools = toOpenAITools(prepared.tools.map(toolSpec));
  return Object.fromEntries(Object.keys(prepared.agents).map((agentType) => [agentType, tools]));
}
