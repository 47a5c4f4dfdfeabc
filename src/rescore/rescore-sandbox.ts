/**
 * `score`'s Python: the run's own sandbox (sandbox/pool.ts: one process per task under the same isolation and
 * caps, anything the recorded code does treated as hostile), started only when a selected scorer needs an
 * interpreter (`Scorer.needsInterpreter`). Each task gets a fresh interpreter, released after the task:
 * - a code agent's row: its recorded code steps run again first, in order, each under the code timeout, their
 *   errors ignored as the agent's loop ignored them, their tool calls answered with the outputs the run
 *   recorded (recorded-code.ts), so the asserts see the namespace the agent built;
 * - a tool agent's row (or a code row with no code): a fresh interpreter, in which the scorer runs the answer's code.
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { CodeExecutor, CodeSession, ToolHandler } from '../agents/code-executor.js';
import { InputError } from '../errors.js';
import { TaskInterpreter } from '../eval/executed-tasks.js';
import type { SandboxIsolation } from '../sandbox/launch.js';
import type { SandboxLimitOptions } from '../sandbox/limits.js';
import type { InterpreterResult } from '../scoring/types.js';
import { recordedTools, replayHandler, type RecordedCodeStep } from './recorded-code.js';

/** `agent-eval run`'s default --code-timeout, seconds. */
export const DEFAULT_CODE_TIMEOUT_SECONDS = 30;

const positive = z.number().positive().optional();
const savedOptionsSchema = z.looseObject({
  run_options: z
    .looseObject({
      additionalImports: z.array(z.string()).nullish(),
      codeTimeoutSeconds: positive.nullable(),
      securityProfile: z.string().nullish(),
      sandboxLimits: z
        .looseObject({ outputLimitBytes: positive, finalAnswerBytes: positive, toolArgumentBytes: positive, toolCallsPerStep: positive, memoryLimitMiB: positive, writtenBytesPerTask: positive })
        .nullish(),
    })
    .nullish(),
});

/** What the recorded run's metadata says about its sandbox and its security profile. */
export interface SavedRunSettings {
  additionalImports: string[];
  codeTimeoutSeconds?: number;
  sandboxLimits: SandboxLimitOptions;
  securityProfile?: string;
}

/** The recorded run's saved options (metadata.json's run_options), checked; a run without them (imported, SMOLTRACE's) gets none. */
export function savedRunSettings(metadata: unknown, source: string): SavedRunSettings {
  const parsed = savedOptionsSchema.safeParse(metadata ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(`${source}: metadata.json ${issue.path.join('.')}: ${issue.message}`);
  }
  const options = parsed.data.run_options;
  const limits = Object.fromEntries(Object.entries(options?.sandboxLimits ?? {}).filter((entry) => typeof entry[1] === 'number')) as SandboxLimitOptions;
  return {
    additionalImports: options?.additionalImports ?? [],
    ...(typeof options?.codeTimeoutSeconds === 'number' && { codeTimeoutSeconds: options.codeTimeoutSeconds }),
    sandboxLimits: limits,
    ...(typeof options?.securityProfile === 'string' && { securityProfile: options.securityProfile }),
  };
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '),
);
const pythonName = (name: string): boolean => IDENTIFIER.test(name) && !KEYWORDS.has(name);

export interface RescoreSandboxOptions {
  /** Tasks that will take an interpreter (no stand-by process is started past them). */
  sessions: number;
  /** The code steps of every code row to be rebuilt: the tools they called become Python functions. */
  steps: readonly RecordedCodeStep[];
  codeTimeoutMs: number;
  saved: SavedRunSettings;
  /** agent-eval's cache folder (the sandbox snapshot), as the run uses it. */
  cacheDirectory?: string;
}

export interface RescoreSandbox extends CodeExecutor {
  readonly isolation: SandboxIsolation;
  close(): Promise<void>;
}

/** Starts the sandbox as `run` does (a StartupError when it cannot start, before anything is written). */
export async function startRescoreSandbox(options: RescoreSandboxOptions): Promise<RescoreSandbox> {
  const tools = [...recordedTools(options.steps)]
    .filter(([name]) => pythonName(name))
    .map(([name, parameters]) => ({ name, description: `${name} (answered with the outputs the run recorded)`, parameters: parameters.filter(pythonName) }));
  const { SandboxPool } = await import('../sandbox/pool.js');
  return SandboxPool.start({
    // One task at a time: score runs its tasks in order.
    size: 1,
    sessions: options.sessions,
    tools,
    authorizedImports: options.saved.additionalImports,
    stepTimeoutMs: options.codeTimeoutMs,
    ...(options.cacheDirectory && { snapshotCacheDir: join(options.cacheDirectory, 'sandbox') }),
    ...options.saved.sandboxLimits,
  });
}

const refuseTools: ToolHandler = () => Promise.resolve({ ok: false, error: 'tools are not available while the tests run' });

/**
 * One task's interpreter for the scorers. For a code row with recorded steps, the first code a scorer runs
 * waits for the steps to run again in a fresh interpreter; the rest run in that same interpreter.
 */
export class RecordedInterpreter {
  private readonly interpreter: TaskInterpreter;
  private rebuilt: Promise<void> | undefined;

  constructor(
    private readonly sandbox: CodeExecutor,
    private readonly steps: readonly RecordedCodeStep[],
    private readonly signal: AbortSignal,
  ) {
    // Without steps the scorer's code takes a fresh interpreter from the pool, as a tool agent's task does in a run.
    this.interpreter = new TaskInterpreter(steps.length ? undefined : sandbox, signal);
  }

  /** What the scorer's explanation says about where its code ran; undefined for a tool agent's row. */
  note(agentType: 'tool' | 'code'): string | undefined {
    if (agentType !== 'code') return undefined;
    if (!this.steps.length) return 'the row recorded no code, so the asserts ran in a fresh interpreter';
    return `the interpreter's state was rebuilt from the ${this.steps.length} recorded code step(s)`;
  }

  readonly run = async (code: string, timeoutMs: number): Promise<InterpreterResult> => {
    if (this.steps.length) await (this.rebuilt ??= this.rebuild());
    return this.interpreter.run(code, timeoutMs);
  };

  /** Runs the recorded steps in order in a fresh session; a step that broke a sandbox limit ends the rebuild (its process is gone). */
  private async rebuild(): Promise<void> {
    let handler: ToolHandler = refuseTools;
    const session: CodeSession = await this.sandbox.acquire((name, args) => handler(name, args));
    this.interpreter.keep(session);
    for (const step of this.steps) {
      if (this.signal.aborted) break;
      handler = replayHandler(step.calls);
      const result = await session.run(step.code, { signal: this.signal });
      if (result.violation) break;
    }
    handler = refuseTools;
  }

  async release(): Promise<void> {
    await this.rebuilt?.catch(() => undefined);
    await this.interpreter.release();
  }
}
