/**
 * What the scorers that execute need from the runner: the `bash` tool seeded per task with the row's
 * fixture, and the task's Python interpreter kept for the `tests` scorer's asserts. Tools the run adds
 * by itself (`bash` for rows scored by bash, `read_file` for rows with attached files) are offered only
 * to the tasks that need them, unless `--enable-tools` names them.
 */
import type { CodeExecutor, CodeSession } from '../agents/code-executor.js';
import type { AgentType } from '../agents/types.js';
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

const refuseTools = () => Promise.resolve({ ok: false as const, error: 'tools are not available while the tests run' });

/**
 * The interpreter the tests scorer runs code in: the code agent's own (kept when its run ended, holding
 * the namespace its steps built), else a fresh one from the sandbox pool (a tool-calling agent's task).
 * `release` gives it back; call it once scoring is done.
 */
export class TaskInterpreter {
  private session: Promise<CodeSession> | undefined;

  /** An interrupted run gives the interpreter back at once (its task is not scored). */
  private readonly onRunAbort = (): void => void this.release();

  constructor(
    private readonly executor: CodeExecutor | undefined,
    private readonly signal: AbortSignal,
  ) {
    signal.addEventListener('abort', this.onRunAbort, { once: true });
  }

  /** The code agent's interpreter, handed over by `runCodeAgent`'s `keepSession`. */
  keep(session: CodeSession): void {
    this.session = Promise.resolve(session);
  }

  /** Whether there is (or can be) an interpreter to run code in. */
  get available(): boolean {
    return this.session !== undefined || this.executor !== undefined;
  }

  /** Runs `code` as one step; past `timeoutMs` the step is stopped (the interpreter with it). */
  readonly run = async (code: string, timeoutMs: number): Promise<InterpreterResult> => {
    this.session ??= this.executor!.acquire(refuseTools);
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

  async release(): Promise<void> {
    this.signal.removeEventListener('abort', this.onRunAbort);
    const session = await this.session?.catch(() => undefined);
    this.session = undefined;
    await session?.release();
  }
}

/** A task interpreter when the task needs one: the code agent keeps its own, a tool agent's comes from the pool. */
export function taskInterpreterFor(task: Task, agentType: AgentType, runScorers: readonly string[] | undefined, executor: CodeExecutor | undefined, signal: AbortSignal): TaskInterpreter | undefined {
  if (!needsTaskInterpreter(task, runScorers)) return undefined;
  return new TaskInterpreter(agentType === 'code' ? undefined : executor, signal);
}
