/**
 * Figures over a run's results, added one result at a time as tasks finish, so that the summary, the
 * leaderboard row and metrics.json need no array of every result: counts and sums per agent type, the
 * execution times (one number per task, for percentiles) and the first failed tasks by test_index.
 */
import type { AgentType } from '../agents/types.js';
import { addAgreement, emptyAgreement, type AgreementTable } from '../scoring/agreement.js';
import type { RolloutCounts } from '../scoring/pass-at-k.js';
import type { TaskResult } from './types.js';

/** Counts over some results (one agent type, or all). */
export interface ResultCounts {
  total: number;
  successful: number;
  toolCalled: number;
  correctTool: number;
  /** Sum of steps. */
  steps: number;
  /** Sum of tools_used lengths. */
  toolsUsed: number;
  /** Tasks per error_kind. */
  errors: Record<string, number>;
  /** Failed tasks per failure_reason. */
  failures: Record<string, number>;
}

/** Dialogue tasks (results with dialogue columns): the agent's and the simulated user's figures apart. */
export interface DialogueCounts {
  total: number;
  successful: number;
  /** Sums of agent replies and of user messages. */
  turns: number;
  userTurns: number;
  /** Dialogues per dialogue_stop_reason. */
  stopReasons: Record<string, number>;
  agentInputTokens: number;
  agentOutputTokens: number;
  /** null once a cost is unknown. */
  agentCostUsd: number | null;
  userInputTokens: number;
  userOutputTokens: number;
  userCostUsd: number | null;
}

function addDialogue(counts: DialogueCounts, result: TaskResult): void {
  counts.total++;
  if (result.success) counts.successful++;
  counts.turns += result.turns ?? 0;
  counts.userTurns += result.user_turns ?? 0;
  const reason = result.dialogue_stop_reason!;
  counts.stopReasons[reason] = (counts.stopReasons[reason] ?? 0) + 1;
  counts.agentInputTokens += result.input_tokens;
  counts.agentOutputTokens += result.output_tokens;
  counts.agentCostUsd = counts.agentCostUsd === null || result.cost_usd === null ? null : counts.agentCostUsd + result.cost_usd;
  counts.userInputTokens += result.user_input_tokens ?? 0;
  counts.userOutputTokens += result.user_output_tokens ?? 0;
  const userCost = result.user_cost_usd ?? null;
  counts.userCostUsd = counts.userCostUsd === null || userCost === null ? null : counts.userCostUsd + userCost;
}

/** What the console says about a failed task. */
export type FailedTask = Pick<TaskResult, 'test_index' | 'test_case_uid' | 'difficulty' | 'failure_reason' | 'failure_detail' | 'error_kind' | 'error'>;

/** How many failed tasks a run keeps for the console (those with the lowest test_index). */
export const FAILED_TASKS_KEPT = 10;

function emptyCounts(): ResultCounts {
  return { total: 0, successful: 0, toolCalled: 0, correctTool: 0, steps: 0, toolsUsed: 0, errors: {}, failures: {} };
}

function addCounts(counts: ResultCounts, result: TaskResult): void {
  counts.total++;
  if (result.success) counts.successful++;
  if (result.tool_called) counts.toolCalled++;
  if (result.correct_tool) counts.correctTool++;
  counts.steps += result.steps;
  // Journals written by older versions may lack a field: counted as none.
  counts.toolsUsed += result.tools_used?.length ?? 0;
  if (result.error_kind) counts.errors[result.error_kind] = (counts.errors[result.error_kind] ?? 0) + 1;
  if (result.failure_reason) counts.failures[result.failure_reason] = (counts.failures[result.failure_reason] ?? 0) + 1;
}

/** Counts over results in memory. */
export function countResults(results: Iterable<TaskResult>): ResultCounts {
  const counts = emptyCounts();
  for (const result of results) addCounts(counts, result);
  return counts;
}

export class RunTotals {
  /** All results. */
  readonly all: ResultCounts = emptyCounts();
  /** Per agent type, in the order first seen. */
  readonly byAgentType = new Map<AgentType, ResultCounts>();
  executionTimeMs = 0;
  totalTokens = 0;
  inputTokens = 0;
  outputTokens = 0;
  modelCalls = 0;
  /** Sum of cost_usd; null once any result's cost is unknown (a missing price must not read as $0). */
  costUsd: number | null = 0;
  /** Results that carry a trace document (traces.json rows). */
  withTraces = 0;
  /** execution_time_ms of every result, for percentiles. */
  readonly executionTimes: number[] = [];
  failed = 0;
  /** The failed tasks with the lowest test_index, at most FAILED_TASKS_KEPT, in test_index order. */
  readonly firstFailed: FailedTask[] = [];
  /**
   * Per scorer (in the order first seen): results it scored, results it passed, sum of its values, and
   * results it could not score (`error`: a judge error, no expected answer), which are not in `scored`.
   */
  readonly scorers = new Map<string, { scored: number; passed: number; valueSum: number; errors: number }>();
  /** The LLM judge's usage over the run, apart from the evaluated model's; cost null once a judge price is unknown. */
  judgeInputTokens = 0;
  judgeOutputTokens = 0;
  judgeCostUsd: number | null = 0;
  /** Results with judge usage. */
  judged = 0;
  /** smoltrace against judge on the results scored by both. */
  readonly agreement: AgreementTable = emptyAgreement();
  /** Dialogue tasks: counts and sums (zero total when the run had none). */
  readonly dialogue: DialogueCounts = {
    total: 0, successful: 0, turns: 0, userTurns: 0, stopReasons: {},
    agentInputTokens: 0, agentOutputTokens: 0, agentCostUsd: 0, userInputTokens: 0, userOutputTokens: 0, userCostUsd: 0,
  };
  /** With --repeats: rollouts and successes per task (test_case_uid); two numbers per task. */
  readonly rollouts = new Map<string, RolloutCounts>();

  /** Totals of results already in memory (small runs, tests). */
  static of(results: Iterable<TaskResult>): RunTotals {
    const totals = new RunTotals();
    for (const result of results) totals.add(result);
    return totals;
  }

  get count(): number {
    return this.all.total;
  }

  get successful(): number {
    return this.all.successful;
  }

  add(result: TaskResult): void {
    addCounts(this.all, result);
    let counts = this.byAgentType.get(result.agent_type);
    if (!counts) this.byAgentType.set(result.agent_type, (counts = emptyCounts()));
    addCounts(counts, result);
    this.executionTimeMs += result.execution_time_ms;
    this.totalTokens += result.total_tokens;
    this.inputTokens += result.input_tokens;
    this.outputTokens += result.output_tokens;
    this.modelCalls += result.model_calls;
    this.costUsd = this.costUsd === null || result.cost_usd === null ? null : this.costUsd + result.cost_usd;
    if (result.trace) this.withTraces++;
    // A dialogue's result carries why it ended (one cut short before its first turn, by a timeout, does not).
    if (result.dialogue_stop_reason !== null && result.dialogue_stop_reason !== undefined) addDialogue(this.dialogue, result);
    this.addScores(result);
    this.executionTimes.push(result.execution_time_ms);
    if (!result.success) this.keepFailed(result);
  }

  private addScores(result: TaskResult): void {
    const scores = result.scores ?? {};
    for (const [name, score] of Object.entries(scores)) {
      let counts = this.scorers.get(name);
      if (!counts) this.scorers.set(name, (counts = { scored: 0, passed: 0, valueSum: 0, errors: 0 }));
      if (score.error !== undefined) {
        counts.errors++;
        continue;
      }
      counts.scored++;
      if (score.passed) counts.passed++;
      counts.valueSum += score.value;
    }
    // Agreement only where both gave a verdict: a scorer's error is no verdict.
    const smoltrace = scores.smoltrace;
    const judge = scores.judge;
    if (smoltrace && judge && smoltrace.error === undefined && judge.error === undefined) addAgreement(this.agreement, smoltrace.passed, judge.passed);
    if (result.judge_input_tokens !== null && result.judge_input_tokens !== undefined) {
      this.judged++;
      this.judgeInputTokens += result.judge_input_tokens;
      this.judgeOutputTokens += result.judge_output_tokens ?? 0;
      const cost = result.judge_cost_usd ?? null;
      this.judgeCostUsd = this.judgeCostUsd === null || cost === null ? null : this.judgeCostUsd + cost;
    }
    if (result.repeat !== undefined && result.repeat !== null) {
      let counts = this.rollouts.get(result.test_case_uid);
      if (!counts) this.rollouts.set(result.test_case_uid, (counts = { n: 0, c: 0 }));
      counts.n++;
      if (result.success) counts.c++;
    }
  }

  private keepFailed(result: TaskResult): void {
    this.failed++;
    const kept = this.firstFailed;
    if (kept.length === FAILED_TASKS_KEPT && kept[kept.length - 1]!.test_index < result.test_index) return;
    const { test_index, test_case_uid, difficulty, failure_reason, failure_detail, error_kind, error } = result;
    let position = kept.length;
    while (position > 0 && kept[position - 1]!.test_index > test_index) position--;
    kept.splice(position, 0, { test_index, test_case_uid, difficulty, failure_reason: failure_reason ?? null, failure_detail: failure_detail ?? null, error_kind, error });
    if (kept.length > FAILED_TASKS_KEPT) kept.pop();
  }
}
