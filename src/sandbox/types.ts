/** A tool as Python code sees it: a function `name(*args, **kwargs)`; positional args map to `parameters` in order. */
export interface SandboxToolSpec {
  name: string;
  description: string;
  /** Parameter names in positional order. */
  parameters: string[];
}

/** Runs a tool call made by Python code; runs in the main process. */
export type ToolHandler = (
  name: string,
  args: Record<string, unknown>,
) => Promise<{ ok: true; output: string } | { ok: false; error: string }>;

export interface CodeStepResult {
  /** print() output (and stderr), capped at `outputLimitBytes`. */
  stdout: string;
  /** repr() of the value of the last expression, when not None. */
  result?: string;
  /** e.g. {type:'ZeroDivisionError', message:'division by zero'}, {type:'TimeoutError', message:'code step exceeded 30 s'}. */
  error?: { type: string; message: string };
  /** final_answer(x) was called: value as JSON (non-JSON values as their str()), text = str(x). */
  finalAnswer?: { value: unknown; text: string };
  durationMs: number;
  /** The interpreter had to be replaced (timeout, crash); variables of the session were lost. */
  interpreterRestarted?: boolean;
  /**
   * The sandbox broke a limit or the protocol (memory over the process cap, a final answer or tool arguments over
   * their caps, too many tool calls in a step, a malformed message): its process was killed and the task must end
   * with a sandbox error saying this.
   */
  violation?: string;
}

export interface SandboxOptions {
  /** Interpreters in the pool (sessions that can run at once). */
  size: number;
  /** Become Python functions; `final_answer(answer)` is built in. */
  tools: SandboxToolSpec[];
  /** Added to the base allow-list (smolagents' BASE_BUILTIN_MODULES); "*" allows every import. */
  authorizedImports?: string[];
  /** Wall-clock limit per code step; default 30000. */
  stepTimeoutMs?: number;
  /** WebAssembly memory maximum per interpreter; default 512. */
  memoryLimitMiB?: number;
  /** Cap on stdout per step (and on the result's repr): the observation the model gets; default 65536. */
  outputLimitBytes?: number;
  /** Cap on the final answer's text; over it the task ends with a sandbox error; default 65536. */
  finalAnswerBytes?: number;
  /** Cap on one tool call's JSON arguments; default 65536. */
  toolArgumentBytes?: number;
  /** Cap on tool calls in one code step; default 32. */
  toolCallsPerStep?: number;
  /**
   * Stand-by processes kept warming or ready ahead of the sessions (each about 200 MiB, under the per-process memory
   * cap); default `size`, at least one and at most two per core. 0 starts each session's process when it is asked for.
   */
  standby?: number;
  /** How many sessions will be opened in all, when known (a run's code tasks): no stand-by is started past them. */
  sessions?: number;
  /** Stand-by processes starting at the same time at most; default the number of cores. */
  startsAtOnce?: number;
  /** bwrap, unshare or none instead of the strongest isolation this system allows (see launch.ts). */
  wrapper?: string;
  /**
   * A folder for the Pyodide memory snapshot, so later pools skip the full Pyodide start (seconds);
   * none by default. Read and written by this process only, never by the sandboxed one.
   */
  snapshotCacheDir?: string;
}

export interface SandboxSession {
  /** Runs one code step; variables persist across runs of one session. */
  run(code: string, options?: { signal?: AbortSignal }): Promise<CodeStepResult>;
  /** Back to the pool; the interpreter is discarded and a fresh one is warmed in its place. */
  release(): Promise<void>;
}

/** smolagents' BASE_BUILTIN_MODULES. */
export const BASE_AUTHORIZED_IMPORTS: readonly string[] = [
  'collections',
  'datetime',
  'itertools',
  'math',
  'queue',
  'random',
  're',
  'stat',
  'statistics',
  'time',
  'unicodedata',
  'json',
];

export const SANDBOX_DEFAULTS = {
  stepTimeoutMs: 30_000,
  memoryLimitMiB: 512,
  outputLimitBytes: 65_536,
  finalAnswerBytes: 65_536,
  toolArgumentBytes: 65_536,
  toolCallsPerStep: 32,
} as const;

/** Room for Node and the compiled interpreter beside Python's own memory in the cap on a whole sandbox process. */
export const RUNTIME_HEADROOM_MIB = 256;
