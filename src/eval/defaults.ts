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

/**
 * The model a run uses when none is given: a small instruct model trained for tool calling,
 * published as ONNX for transformers.js, run on the CPU with no API key. Qwen3-0.6B because it is the
 * smallest model whose chat template and training cover tool calls (Hermes-style `<tool_call>`
 * JSON), under Apache-2.0; q4 weights (about 0.9 GB) because they load and run on any CPU. Its
 * thinking phase is off by default (`--model-args enable_thinking=true` turns it on).
 * AGENT_EVAL_DEFAULT_MODEL overrides it.
 */
export const DEFAULT_LOCAL_MODEL = {
  id: 'onnx-community/Qwen3-0.6B-ONNX',
  dtype: 'q4',
  templateDefaults: { enable_thinking: false },
} as const;

/** agent-eval's own cache folder (src/secrets/locations.ts, so the file tools can refuse it too). */
export { agentEvalCacheDirectory } from '../secrets/locations.js';

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
