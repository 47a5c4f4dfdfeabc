/**
 * What the scorers that execute need from the runner: the `bash` tool seeded per task with the row's
 * fixture, and a fresh Python interpreter for the `tests` scorer's asserts (a code agent's steps replayed in it). Tools the run adds
 * by itself (`bash` for rows scored by bash, `read_file` for rows with attached files) are offered only
 * to the tasks that need them, unless `--enable-tools` names them.
 */
import type { CodeExecutor, CodeSession, ToolHandler } from '../agents/code-executor.js';
import type { AgentRun } from '../agents/types.js';
import { scorersFor } from '../scoring/score-task.js';
import type { InterpreterResult } from '../scoring/types.js';
import { taskAttachments } from '../tasks/attachments.js';
import { rowScorers, type Task } from '../tasks/schema.js';
import { BASH_TOOL, createBashTool } from '../tools/bash-tool.js';
import { TOOL_GROUPS } from '../tools/registry.js';
import type { AnyTool } from '../tools/types.js';

const READ_FILE = 'read_file';

/** Whether `task` is scored by the scorer `name` in this run (`--scorer` overrides the row's). */
export function scoredBy(task: Task, runScorers: readonly string[] | undefined, name: string): boolean {
  return scorersFor(rowScorers(task), runScorers).includes(name);
}

/** The tasks each implied tool is for: `bash` for rows scored by bash, `read_file` for rows with attached files. */
function impliedFor(runScorers: readonly string[] | undefined): Record<string, (task: Task) => boolean> {
  return {
    [BASH_TOOL]: (task) => scoredBy(task, runScorers, 'bash'),
    [READ_FILE]: (task) => taskAttachments(task).length > 0,
  };
}

/** `--enable-tools` names the run adds by itself: `bash` when a task is scored by bash, `read_file` when a task has attached files. */
export function impliedTools(tasks: readonly Task[], runScorers: readonly string[] | undefined): string[] {
  return Object.entries(impliedFor(runScorers))
    .filter(([, needs]) => tasks.some(needs))
    .map(([name]) => name);
}

/** The tool names `--enable-tools` asks for, groups expanded (as resolveTools reads them). */
function explicitNames(enableTools: readonly string[] | undefined): Set<string> {
  return new Set(
    (enableTools ?? [])
      .flatMap((entry) => entry.split(','))
      .map((name) => name.trim().toLowerCase())
      .flatMap((name) => (Object.hasOwn(TOOL_GROUPS, name) ? TOOL_GROUPS[name]! : [name])),
  );
}

/** Implied tools of this run (copies of the resolved tools), with the tasks they are offered to. */
const impliedOnly = new WeakMap<AnyTool, (task: Task) => boolean>();

/**
 * The run's resolved tools with each implied tool that `--enable-tools` does not name replaced by a
 * copy marked for `toolsForTask`, which offers it only to the tasks that need it.
 */
export function markImpliedTools<T extends AnyTool>(tools: readonly T[], enableTools: readonly string[] | undefined, runScorers: readonly string[] | undefined): T[] {
  const explicit = explicitNames(enableTools);
  const implied = impliedFor(runScorers);
  return tools.map((tool) => {
    const needs = Object.hasOwn(implied, tool.name) && !explicit.has(tool.name) ? implied[tool.name] : undefined;
    if (!needs) return tool;
    const copy = { ...tool };
    impliedOnly.set(copy, needs);
    return copy;
  });
}

/**
 * The run's tools for one task: implied tools only where the task needs them, and its own `bash` tool
 * (when offered) over a fresh copy of the row's fixture.
 */
export function toolsForTask(tools: readonly AnyTool[], task: Task): readonly AnyTool[] {
  return tools
    .filter((tool) => impliedOnly.get(tool)?.(task) ?? true)
    .map((tool) => (tool.name === BASH_TOOL ? createBashTool(task.fixture ?? {}) : tool));
}

/** Whether a task needs a Python interpreter after its agent finished (the tests scorer). */
export function needsTaskInterpreter(task: Task, runScorers: readonly string[] | undefined): boolean {
  return scoredBy(task, runScorers, 'tests');
}

const refuseTools: ToolHandler = () => Promise.resolve({ ok: false as const, error: 'tools are not available while the tests run' });

/** One code step of the agent's run, with the tools its code called and what they returned. */
export interface ReplayStep {
  code: string;
  calls: { name: string; output: string; isError: boolean }[];
}

/** The code steps of a code agent's run, in order, each with the tool calls its code made (final_answer left out). */
export function replayStepsOf(run: Pick<AgentRun, 'steps'>): ReplayStep[] {
  const steps: (ReplayStep & { index: number })[] = [];
  for (const step of run.steps) {
    if (step.type === 'code') steps.push({ index: step.index, code: step.code, calls: [] });
  }
  for (const step of run.steps) {
    if (step.type !== 'tool-call' || step.source !== 'code' || step.call.name === 'final_answer') continue;
    steps.find((candidate) => candidate.index === step.index)?.calls.push({ name: step.call.name, output: step.output, isError: step.isError });
  }
  return steps.map(({ code, calls }) => ({ code, calls }));
}

/**
 * Answers a replayed step's tool calls with what the run's calls returned: each call takes the first
 * recorded call of that name not yet taken; a call the run did not make fails, and no real tool runs.
 */
function replayedCalls(calls: ReplayStep['calls']): ToolHandler {
  const left = [...calls];
  return (name) => {
    const index = left.findIndex((call) => call.name === name);
    if (index < 0) return Promise.resolve({ ok: false as const, error: `${name}: the run made no such call at this step` });
    const [call] = left.splice(index, 1);
    return Promise.resolve(call!.isError ? { ok: false as const, error: call!.output.replace(/^Error: /, '') } : { ok: true as const, output: call!.output });
  };
}

/**
 * The interpreter the tests scorer runs code in: always a fresh one from the sandbox pool. For a code
 * agent, its code steps run again there first, in order (each under the code timeout, their errors
 * ignored as the agent's loop ignored them, their tool calls answered with the outputs the run
 * recorded), so the asserts see the global namespace the agent's steps built, as `agent-eval score`
 * rebuilds it. The agent's own interpreter is released when its run ends. `release` gives the fresh
 * one back; call it once scoring is done.
 */
export class TaskInterpreter {
  private session: Promise<CodeSession> | undefined;
  /** The agent's own interpreter going back to the pool (one session per task at a time). */
  private agentReleased: Promise<void> = Promise.resolve();
  private steps: readonly ReplayStep[] = [];
  private handler: ToolHandler = refuseTools;

  /** An interrupted run gives the interpreter back at once (its task is not scored). */
  private readonly onRunAbort = (): void => void this.release();

  constructor(
    private readonly executor: CodeExecutor | undefined,
    private readonly signal: AbortSignal,
  ) {
    signal.addEventListener('abort', this.onRunAbort, { once: true });
  }

  /**
   * An interpreter handed over (`runCodeAgent`'s `keepSession`). With a pool to take a fresh one from (a
   * run), it is the agent's own and is released: its steps run again in the fresh one. Without (`agent-eval
   * score`, whose interpreter already holds the rebuilt state), it is the interpreter the code runs in.
   */
  keep(session: CodeSession): void {
    if (this.executor) this.agentReleased = session.release().catch(() => undefined);
    else this.session = Promise.resolve(session);
  }

  /** The finished run whose code steps rebuild the agent's state before the scorer's code (code agents). */
  replay(run: Pick<AgentRun, 'agentType' | 'steps'>): void {
    this.steps = run.agentType === 'code' ? replayStepsOf(run) : [];
  }

  /** How many code steps rebuilt (or will rebuild) the state. */
  get replayedSteps(): number {
    return this.steps.length;
  }

  /** Whether there is (or can be) an interpreter to run code in. */
  get available(): boolean {
    return this.session !== undefined || this.executor !== undefined;
  }

  /** Runs `code` as one step; past `timeoutMs` the step is stopped (the interpreter with it). */
  readonly run = async (code: string, timeoutMs: number): Promise<InterpreterResult> => {
    this.session ??= this.start();
    const session = await this.session;
    const stop = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      stop.abort();
    }, timeoutMs);
    const onAbort = () => stop.abort();
    this.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const result = await session.run(code, { signal: stop.signal });
      if (!result.error) return { stdout: result.stdout };
      const stoppedByTime = timedOut || result.error.type === 'TimeoutError';
      return { stdout: result.stdout, error: `${result.error.type}: ${result.error.message}`, ...(stoppedByTime && { timedOut: true }) };
    } finally {
      clearTimeout(timer);
      this.signal.removeEventListener('abort', onAbort);
    }
  };

  /** A fresh interpreter with the agent's code steps run again in it; a step that broke a sandbox limit ends the replay (its process is gone). */
  private async start(): Promise<CodeSession> {
    await this.agentReleased;
    const session = await this.executor!.acquire((name, args) => this.handler(name, args));
    for (const step of this.steps) {
      if (this.signal.aborted) break;
      this.handler = replayedCalls(step.calls);
      const result = await session.run(step.code, { signal: this.signal });
      if (result.violation) break;
    }
    this.handler = refuseTools;
    return session;
  }

  async release(): Promise<void> {
    this.signal.removeEventListener('abort', this.onRunAbort);
    await this.agentReleased;
    const session = await this.session?.catch(() => undefined);
    this.session = undefined;
    await session?.release();
  }
}

/** A task interpreter when the task needs one: a fresh one from the pool (a code agent's steps run again in it). */
export function taskInterpreterFor(task: Task, runScorers: readonly string[] | undefined, executor: CodeExecutor | undefined, signal: AbortSignal): TaskInterpreter | undefined {
  if (!needsTaskInterpreter(task, runScorers)) return undefined;
  return new TaskInterpreter(executor, signal);
}
