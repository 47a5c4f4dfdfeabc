/**
 * The one scorer interface. A scorer reads a finished task (its row, the agent's final answer and the
 * whole run) and returns a score; it never changes the run. Scorers are stateless: what a run
 * configures (the judge, the code interpreter of the task) comes in the context.
 */
import type { AgentRun, AgentType } from '../agents/types.js';
import type { ModelProvider, Usage } from '../models/types.js';
import type { Task } from '../tasks/schema.js';
import type { FailureReason } from './failure.js';

/** One scorer's verdict, as kept in the result row's `scores`. */
export interface Score {
  /** 0..1 (the fraction of asserts that pass, a judge's normalised grade; 1 or 0 for a yes/no scorer). */
  value: number;
  passed: boolean;
  /** One or a few sentences: why it passed or failed. */
  explanation: string;
  /**
   * Set when the scorer could not score (a judge that never gave a valid answer, a test harness that
   * crashed): the task then fails with this scorer's error reason, never passes.
   */
  error?: string;
  /** Judge model usage for this score, kept apart from the evaluated model's tokens. */
  judgeUsage?: JudgeUsage;
}

export interface JudgeUsage {
  inputTokens: number;
  outputTokens: number;
  /** null when the judge model's price is unknown. */
  costUsd: number | null;
  /** Judge calls made (retries of invalid answers included). */
  calls: number;
}

export interface ScoreInput {
  task: Task;
  agentType: AgentType;
  /** The agent's final answer; null when it gave none. */
  finalAnswer: string | null;
  /** The whole run: messages, steps (model calls, tool calls, code), stop reason and error. */
  run: AgentRun;
  /** Tools called, in order, without final_answer. */
  toolsUsed: readonly string[];
}

/** What the task's Python interpreter printed and raised when the scorer ran code in it. */
export interface InterpreterResult {
  stdout: string;
  /** The exception text, when the code raised (or timed out). */
  error?: string;
  timedOut?: boolean;
}

/** A judge's record of one call, for its own span (telemetry/ turns it into a span). */
export interface JudgeCallRecord {
  startedAtMs: number;
  durationMs: number;
  provider: string;
  model: string;
  usage: Usage;
  attempt: number;
  /** The parsed verdict, or why the answer was refused. */
  outcome: { passed: boolean; value: number; explanation: string } | { error: string };
}

export interface JudgeContext {
  provider: ModelProvider;
  /** The run's rubric (`--judge-rubric`); a task's `rubric` column overrides it. */
  rubric?: import('../tasks/rubric.js').Rubric;
  /** Put the agent's trajectory (its messages) into the judge's request. */
  includeTrajectory: boolean;
  /** Generation parameters for the judge (temperature 0 unless `--judge-args` says otherwise). */
  generation: import('../models/types.js').GenerationParameters;
  /** Attempts per task when the judge's answer is not valid (default 3). */
  attempts: number;
  /** Prices a judge call; absent or null = unknown. */
  price?: (usage: Usage) => number | null;
  /** Called for each judge call (spans, events). */
  onCall?: (record: JudgeCallRecord) => void;
}

export interface ScoreContext {
  /** The task's signal: aborted on timeout or interrupt. */
  signal: AbortSignal;
  /** Where the task's tools worked (attachments, fixtures). */
  workingDirectory: string;
  /** The judge, when the run has one (`--judge-model`). */
  judge?: JudgeContext;
  /** The code agent's per-step limit, milliseconds (the `tests` scorer uses it for the asserts). */
  codeTimeoutMs?: number;
  /**
   * Runs `code` in a fresh sandbox interpreter holding the task's final state: for a code agent, the
   * global namespace its code steps built, rebuilt by running them again there; for a tool agent, an
   * empty one. Filled for tasks scored by a scorer that `needsInterpreter`; absent otherwise.
   */
  runInTaskInterpreter?: (code: string, timeoutMs: number) => Promise<InterpreterResult>;
}

export interface Scorer {
  /** The name used in task rows (`scorer`, `scorers`) and `--scorer`. */
  readonly name: string;
  /** The failure reason recorded when this scorer is the task's first and it fails. */
  readonly failureReason: FailureReason;
  /** The failure reason when it could not score (`Score.error`); default failureReason. */
  readonly errorReason?: FailureReason;
  /**
   * What a task row lacks for this scorer ("needs expected_answer"), checked when the run is prepared
   * so a bad row stops the run before anything is written; undefined when the row is fine.
   */
  check?(task: Task): string | undefined;
  /** Whether it needs the judge (`--judge-model`). */
  readonly needsJudge?: boolean;
  /** Whether it runs code in the task's Python interpreter (`runInTaskInterpreter`): `score` then starts the sandbox. */
  readonly needsInterpreter?: boolean;
  score(input: ScoreInput, context: ScoreContext): Promise<Score>;
}

/**
 * Every score of a task by scorer name, as in the result row's `scores`. `error` is set when the scorer
 * could not score (a judge that never gave a valid answer, a row without an expected answer): such a
 * score never passes and is left out of that scorer's pass rate and of the smoltrace/judge agreement.
 */
export type Scores = Record<string, { value: number; passed: boolean; explanation: string; error?: string }>;
