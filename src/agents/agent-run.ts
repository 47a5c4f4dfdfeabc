import { ProviderError } from '../models/errors.js';
import { addUsage, emptyUsage, type GenerationParameters, type ModelProvider, type ModelResponse, type ToolSpec } from '../models/types.js';
import { epochNow, type AgentRun, type AgentType, type ErrorKind, type Step } from './types.js';

/** Shared by both agents: the run being built, with step recording. */
export class RunRecorder {
  readonly run: AgentRun;

  constructor(
    agentType: AgentType,
    systemPrompt: string,
    prompt: string,
    private readonly onStep?: (step: Step) => void,
  ) {
    this.run = {
      agentType,
      steps: [],
      messages: [
        { role: 'system', content: systemPrompt },
        { role: 'user', content: `New task:\n${prompt}` },
      ],
      usage: emptyUsage(),
      modelCalls: 0,
      actionSteps: 0,
      stopReason: 'max-steps',
    };
  }

  /** A recorder that goes on from a finished run with the next user message (the next turn of a dialogue). */
  static continuing(previous: AgentRun, message: string, onStep?: (step: Step) => void): RunRecorder {
    const recorder = new RunRecorder(previous.agentType, '', '', onStep);
    const { error: _error, finalAnswer: _finalAnswer, ...rest } = previous;
    Object.assign(recorder.run, { ...rest, steps: [...previous.steps], messages: [...previous.messages, { role: 'user', content: message }], stopReason: 'max-steps' });
    return recorder;
  }

  record(step: Step): void {
    this.run.steps.push(step);
    this.onStep?.(step);
  }

  finish(changes: Partial<AgentRun>): AgentRun {
    return { ...this.run, ...changes };
  }
}

/**
 * How a provider failure counts against the task: a rejected request (400) is the model's, everything
 * else is infrastructure, including a malformed body and a request slower than --request-timeout
 * (`timeout` is the task's own time limit). The cause stays in the error message.
 */
function providerErrorKind(error: ProviderError): ErrorKind {
  return error.kind === 'bad-request' ? 'model' : 'infrastructure';
}

export interface ModelStepInput {
  provider: ModelProvider;
  generation: GenerationParameters;
  signal: AbortSignal;
  tools?: ToolSpec[];
  stop?: string[];
}

/**
 * One model call of step `index`: records it and appends the reply to the history. Returns the
 * response, or the finished run when the call failed or the task was aborted.
 */
export async function modelStep(recorder: RunRecorder, input: ModelStepInput, index: number): Promise<ModelResponse | AgentRun> {
  const { run } = recorder;
  if (input.signal.aborted) return recorder.finish({ stopReason: 'aborted' });
  run.actionSteps = index;
  const startedAtMs = epochNow();
  const started = performance.now();
  const inputMessageCount = run.messages.length;
  const stop = [...(input.generation.stop ?? []), ...(input.stop ?? [])];
  let response: ModelResponse;
  try {
    response = await input.provider.generate({
      ...input.generation,
      ...(stop.length ? { stop } : {}),
      messages: run.messages,
      ...(input.tools ? { tools: input.tools } : {}),
      signal: input.signal,
    });
  } catch (error) {
    if (input.signal.aborted) return recorder.finish({ stopReason: 'aborted' });
    if (!(error instanceof ProviderError)) throw error;
    const attempts = error.options.attempts && error.options.attempts > 1 ? ` after ${error.options.attempts} attempts` : '';
    return recorder.finish({ stopReason: 'error', error: { kind: providerErrorKind(error), message: `${error.message}${attempts}` } });
  }
  run.modelCalls++;
  run.usage = addUsage(run.usage, response.usage);
  recorder.record({ type: 'model-call', index, response, startedAtMs, durationMs: performance.now() - started, inputMessageCount });
  run.messages.push(response.message);
  return response;
}

export function isFinished(value: ModelResponse | AgentRun): value is AgentRun {
  return 'stopReason' in value;
}
