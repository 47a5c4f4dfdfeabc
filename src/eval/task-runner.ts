import { runToolCallingAgent, FINAL_ANSWER } from '../agents/tool-calling-agent.js';
import { runCodeAgent } from '../agents/code-agent.js';
import type { CodeExecutor } from '../agents/code-executor.js';
import { epochNow, toolsUsed, type AgentRun, type AgentType, type Step } from '../agents/types.js';
import type { AgentsSetup } from './agent-setup.js';
import { toOpenAIMessages } from '../models/openai-messages.js';
import type { GenerationParameters, ModelProvider } from '../models/types.js';
import { scoreTask } from '../scoring/smoltrace.js';
import { describeFailure } from '../scoring/failure.js';
import { scoreTaskWith, scorersFor, type TaskScoring } from '../scoring/score-task.js';
import type { JudgeCallRecord, JudgeContext, ScoreContext } from '../scoring/types.js';
import { rowScorers } from '../tasks/schema.js';
import { placeAttachments } from '../tasks/attachments.js';
import type { Task } from '../tasks/schema.js';
import { toolSpec } from '../tools/spec.js';
import type { AnyTool, ToolContext } from '../tools/types.js';
import type { JudgeCallSpan, RunTracer } from '../telemetry/tracing.js';
import type { GenAiMetrics } from '../telemetry/genai-metrics.js';
import { sumKnown, type CallPricer } from './costs.js';
import { agentLogPath, runConversationTask, type ConversationTaskResult } from './conversation-task.js';
import { applyConversation, priceCallFor, recordSimulatorMetrics, reportedModelOf } from './conversation-result.js';
import { taskInterpreterFor, toolsForTask, type TaskInterpreter } from './executed-tasks.js';
import type { RunEvent, TaskResult, ToolCallRecord } from './types.js';

export interface TaskRunEnvironment {
  runId: string;
  /** The run directory (external agents' stderr logs go under agent_logs/). */
  runDirectory?: string;
  provider: ModelProvider;
  tools: readonly AnyTool[];
  agents: AgentsSetup['agents'];
  /** The Python sandbox, when the run has code tasks. */
  executor?: CodeExecutor;
  generation: GenerationParameters;
  timeoutMs: number;
  toolContext: Omit<ToolContext, 'signal'>;
  runSignal: AbortSignal;
  onEvent?: (event: RunEvent) => void;
  now: () => Date;
  tracer?: RunTracer;
  metrics?: GenAiMetrics;
  pricer?: CallPricer;
  /** Awaited before the pricer is used: the price data loads when the first task ends, not before the first request. */
  loadPrices?: () => Promise<unknown>;
  /** The run's scorers (`--scorer`), overriding the rows'; absent: each row's, else smoltrace. */
  scorers?: readonly string[];
  /** The LLM judge, when the run has one (`--judge-model`). */
  judge?: JudgeContext;
  /** Code agent: per-step limit in ms (the tests scorer's limit for the asserts). */
  codeTimeoutMs?: number;
}

const TOOL_OUTPUT_LIMIT = 4000;

function toolCallRecords(run: AgentRun): ToolCallRecord[] {
  const records: ToolCallRecord[] = [];
  for (const step of run.steps) {
    if (step.type !== 'tool-call') continue;
    records.push({
      step: step.index,
      name: step.call.name,
      arguments: step.call.arguments,
      output: step.output.length > TOOL_OUTPUT_LIMIT ? `${step.output.slice(0, TOOL_OUTPUT_LIMIT)}...[TRUNCATED]` : step.output,
      is_error: step.isError,
      duration_ms: Math.round(step.durationMs * 1000) / 1000,
      ...(step.resources ? { resources: step.resources } : {}),
    });
  }
  return records;
}

/** Builds the journaled result from an agent run and its score. */
export function buildTaskResult(
  task: Task,
  agentType: AgentType,
  testIndex: number,
  run: AgentRun,
  timing: { runId: string; startedAt: Date; durationMs: number },
  scoring?: TaskScoring,
  repeat?: number,
): TaskResult {
  const used = toolsUsed(run, FINAL_ANSWER);
  const finalAnswerCalled = run.stopReason === 'final-answer';
  const response = run.finalAnswer ?? null;
  const smoltrace = scoreTask({ task, toolsUsed: used, finalAnswerCalled, response });
  // SMOLTRACE's columns always hold its rule; `success` is the first scorer's verdict.
  const primary = scoring && scoring.primary.name !== 'smoltrace' ? scoring.primary : undefined;
  const score = primary ? { ...smoltrace, success: primary.passed } : smoltrace;
  const usage = run.usage;
  const toolCalls = toolCallRecords(run);
  const failure = describeFailure({ task, score, toolsUsed: used, response, stopReason: run.stopReason, error: run.error, toolCalls, ...(primary && { primary }) });
  const judge = scoring?.judgeUsage;
  return {
    run_id: timing.runId,
    test_index: testIndex,
    test_id: task.id,
    test_case_uid: `${agentType}:${task.id}`,
    agent_type: agentType,
    difficulty: task.difficulty,
    category: task.category,
    prompt: task.prompt,
    expected_tool: task.expected_tool,
    expected_tool_calls: task.expected_tool_calls,
    ...score,
    error: run.error?.message ?? null,
    error_kind: run.error?.kind ?? null,
    failure_reason: failure?.reason ?? null,
    failure_detail: failure?.detail ?? null,
    response,
    tools_used: used,
    // SMOLTRACE counts each action step plus the final-answer step.
    steps: run.actionSteps + (finalAnswerCalled ? 1 : 0),
    stop_reason: run.stopReason,
    trace_id: null,
    span_id: null,
    started_at: timing.startedAt.toISOString(),
    execution_time_ms: Math.round(timing.durationMs * 1000) / 1000,
    model_calls: run.modelCalls,
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    cached_input_tokens: usage.cachedInputTokens ?? 0,
    reasoning_tokens: usage.reasoningTokens ?? 0,
    total_tokens: usage.inputTokens + usage.outputTokens,
    cost_usd: null,
    tool_calls: toolCalls,
    messages: toOpenAIMessages(run.messages, { keepReasoning: true }),
    ...(repeat !== undefined && { repeat }),
    scores: scoring?.scores ?? { smoltrace: smoltraceScoreOf(smoltrace.success, failure?.detail) },
    judge_input_tokens: judge ? judge.inputTokens : null,
    judge_output_tokens: judge ? judge.outputTokens : null,
    judge_cost_usd: judge ? judge.costUsd : null,
  };
}

function smoltraceScoreOf(passed: boolean, detail: string | undefined) {
  return passed
    ? { value: 1, passed, explanation: 'the expected tool calls were made and the final answer has a keyword' }
    : { value: 0, passed, explanation: detail ?? 'failed' };
}

/** Scores a finished run with the task's scorers; the judge's calls run under the run's signal and are kept for the task's spans. */
async function scoreRun(task: Task, agentType: AgentType, run: AgentRun, environment: TaskRunEnvironment, interpreter?: TaskInterpreter): Promise<{ scoring: TaskScoring; judgeCalls: JudgeCallSpan[] }> {
  const names = scorersFor(rowScorers(task), environment.scorers);
  const judgeCalls: JudgeCallSpan[] = [];
  const judge = environment.judge;
  const context: ScoreContext = {
    signal: environment.runSignal,
    workingDirectory: environment.toolContext.workingDirectory,
    ...(judge && {
      judge: {
        ...judge,
        onCall: (call: JudgeCallRecord) => {
          judgeCalls.push({ ...call, costUsd: judge.price ? judge.price(call.usage) : null, ...('error' in call.outcome && { error: call.outcome.error }) });
          judge.onCall?.(call);
        },
      },
    }),
    ...(environment.codeTimeoutMs !== undefined && { codeTimeoutMs: environment.codeTimeoutMs }),
    ...(interpreter?.available && { runInTaskInterpreter: interpreter.run }),
  };
  const scoring = await scoreTaskWith(names, { task, agentType, finalAnswer: run.finalAnswer ?? null, run, toolsUsed: toolsUsed(run, FINAL_ANSWER) }, context);
  return { scoring, judgeCalls };
}

/**
 * Runs one task under its timeout. Returns undefined when the whole run was interrupted, so the task
 * is not recorded and a resume runs it again. Any other failure becomes a recorded error.
 */
export async function runTask(
  task: Task,
  agentType: AgentType,
  testIndex: number,
  environment: TaskRunEnvironment,
  repeat?: number,
): Promise<TaskResult | undefined> {
  // One plain controller, aborted by the run's signal or the timer and unlinked when the task ends.
  // Not AbortSignal.any: Node keeps a composite signal alive while it has abort listeners, and the
  // SDKs never remove theirs, so every task's signal (and its requests' controllers) would stay.
  const timeout = new AbortController();
  const abortTask = () => timeout.abort(environment.runSignal.reason);
  if (environment.runSignal.aborted) abortTask();
  else environment.runSignal.addEventListener('abort', abortTask, { once: true });
  const timer = setTimeout(() => timeout.abort(new Error('task timeout')), environment.timeoutMs);
  const signal = timeout.signal;
  const startedAt = environment.now();
  const startedAtMs = epochNow();
  const started = performance.now();
  environment.onEvent?.({ type: 'task-start', taskId: task.id, agentType });
  let run: AgentRun;
  let conversation: ConversationTaskResult | undefined;
  // The tests scorer's interpreter: a fresh one from the pool (the code agent's own is released when its run ends).
  const interpreter = taskInterpreterFor(task, environment.scorers, environment.executor, environment.runSignal);
  // This task's tools: implied ones (bash, read_file) only where it needs them; recorded in its row and trace.
  const offeredTools = toolsForTask(environment.tools, task);
  try {
    const setup = environment.agents[agentType];
    if (!setup) throw new Error(`no ${agentType} agent was set up for this run`);
    await placeAttachments(task, environment.toolContext.workingDirectory);
    const common = {
      prompt: task.prompt,
      systemPrompt: setup.systemPrompt,
      provider: environment.provider,
      tools: offeredTools,
      maxSteps: setup.maxSteps,
      generation: environment.generation,
      signal,
      // Each task its own set of started processes, so kill reaches only this task's.
      toolContext: { ...environment.toolContext, processes: new Set<number>(), written: { bytes: 0 } },
      onStep: (step: Step) => {
        if (step.type === 'tool-call') {
          environment.onEvent?.({ type: 'tool-call', taskId: task.id, name: step.call.name, arguments: step.call.arguments, isError: step.isError });
        }
      },
    };
    if (setup.external || (task.user && setup.dialogue && agentType === 'tool')) {
      // An external agent, or a dialogue with the simulated user (src/eval/conversation-task.ts).
      conversation = await runConversationTask({ task, agent: common, ...(setup.external && { external: setup.external }), ...(setup.dialogue && { dialogue: setup.dialogue }), timeoutSeconds: environment.timeoutMs / 1000, ...(environment.runDirectory && { logPath: agentLogPath(environment.runDirectory, agentType, task.id, repeat) }) });
      run = conversation.run;
    } else if (agentType === 'code') {
      if (!environment.executor) throw new Error('the Python sandbox is not running');
      run = await runCodeAgent({ ...common, executor: environment.executor, ...(interpreter && { keepSession: (session) => interpreter.keep(session) }) });
    } else {
      run = await runToolCallingAgent(common);
    }
  } catch (error) {
    if (environment.runSignal.aborted) return undefined;
    const message = error instanceof Error ? error.message : String(error);
    run = {
      agentType,
      steps: [],
      messages: [],
      usage: { inputTokens: 0, outputTokens: 0 },
      modelCalls: 0,
      actionSteps: 0,
      stopReason: 'error',
      error: { kind: 'infrastructure', message: `internal error: ${message}` },
    };
  } finally {
    clearTimeout(timer);
    environment.runSignal.removeEventListener('abort', abortTask);
  }
  if (environment.runSignal.aborted) return undefined;
  if (run.stopReason === 'aborted' || (timeout.signal.aborted && run.stopReason !== 'final-answer')) {
    const seconds = environment.timeoutMs / 1000;
    run = { ...run, stopReason: 'timeout', error: { kind: 'timeout', message: `task timed out after ${seconds} s` } };
  }
  const durationMs = performance.now() - started;
  await environment.loadPrices?.();
  let scored: Awaited<ReturnType<typeof scoreRun>>;
  // The tests scorer's fresh interpreter first runs the code agent's steps again (executed-tasks.ts).
  interpreter?.replay(run);
  try {
    scored = await scoreRun(task, agentType, run, environment, interpreter);
  } catch (error) {
    // Only an interrupt gets here (each scorer's own failure is its score).
    if (environment.runSignal.aborted) return undefined;
    throw error;
  } finally {
    await interpreter?.release();
  }
  if (environment.runSignal.aborted) return undefined;
  const { scoring, judgeCalls } = scored;
  const result = buildTaskResult(task, agentType, testIndex, run, { runId: environment.runId, startedAt, durationMs }, scoring, repeat);
  const reportedModel = reportedModelOf(run, environment.agents[agentType]?.external);
  if (reportedModel) result.model = reportedModel;
  result.tools_offered = offeredTools.map((tool) => tool.name);
  const provider = environment.provider;
  const callCosts = run.steps.flatMap((step) =>
    step.type === 'model-call' ? [environment.pricer ? environment.pricer(priceCallFor(provider, step)) : null] : [],
  );
  result.cost_usd = sumKnown(callCosts);
  for (const step of run.steps) {
    if (step.type !== 'model-call') continue;
    environment.metrics?.record({ provider: provider.provider, requestModel: provider.modelId, responseModel: step.response.model, usage: step.response.usage, durationMs: step.durationMs });
  }
  if (environment.metrics) recordSimulatorMetrics(environment.metrics, conversation);
  if (environment.tracer) {
    const trace = environment.tracer.recordTask({
      taskId: task.id,
      testCaseUid: result.test_case_uid,
      difficulty: task.difficulty,
      agentType,
      prompt: task.prompt,
      provider: provider.provider,
      modelId: provider.modelId,
      generation: environment.generation,
      tools: offeredTools.map(toolSpec),
      run,
      startedAtMs,
      durationMs,
      success: result.success,
      error: run.error,
      callCosts,
      ...(environment.agents[agentType]?.external && { agentName: environment.agents[agentType]!.external!.agent.name }),
      evaluations: Object.entries(scoring.scores).map(([name, score]) => ({ name, ...score })),
      judgeCalls,
      toolKinds: Object.fromEntries(offeredTools.flatMap((tool) => (tool.kind && tool.kind !== 'function' ? [[tool.name, tool.kind]] : []))),
    });
    Object.assign(result, { trace_id: trace.trace_id, span_id: trace.root_span_id, trace });
  }
  const added = applyConversation(result, conversation, { ...(environment.pricer && { pricer: environment.pricer }), redactor: environment.toolContext.redactor ?? { text: (value) => value }, captureContent: environment.tracer?.capturesContent ?? false });
  environment.tracer?.exportSpans(added);
  return result;
}
