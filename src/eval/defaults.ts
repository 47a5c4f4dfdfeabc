import type { RunOptions } from './types.js';

/** Defaults for every optional run setting; the CLI shows these in --help. */
export const RUN_DEFAULTS = {
  provider: 'litellm',
  agentType: 'both',
  datasetName: 'builtin',
  split: 'train',
  outputDir: './smoltrace_results',
  parallelWorkers: 4,
  modelArgs: {},
  timeoutSeconds: 600,
  requestTimeoutSeconds: 120,
  maxRetries: 4,
  maxSteps: 6,
} as const satisfies Partial<RunOptions>;

/** Run options as a program gives them: a model, and whatever else differs from the defaults. */
export type RunOptionsInput = Partial<RunOptions> & Pick<RunOptions, 'model'>;

/** Applies the defaults; maxSteps stays unset so a prompt file's max_steps can apply. */
export function withDefaults(input: RunOptionsInput): RunOptions {
  const { maxSteps: _maxSteps, ...defaults } = RUN_DEFAULTS;
  return {
    ...defaults,
    modelArgs: {},
    workingDirectory: process.cwd(),
    ...Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)),
  } as RunOptions;
}
