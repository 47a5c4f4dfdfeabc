import type { GenerationParameters, ModelProvider } from '../models/types.js';
import type { AnyTool, ToolContext } from '../tools/types.js';
import { isFinished, modelStep, RunRecorder } from './agent-run.js';
import { codeObservation, extractCode } from './code-blocks.js';
import type { CodeExecutor, CodeSession, ToolHandler } from './code-executor.js';
import { FINAL_ANSWER } from './tool-calling-agent.js';
import { executeToolCall } from './tool-executor.js';
import { epochNow, type AgentRun, type Step } from './types.js';

export interface CodeAgentInput {
  prompt: string;
  systemPrompt: string;
  provider: ModelProvider;
  tools: readonly AnyTool[];
  executor: CodeExecutor;
  maxSteps: number;
  generation: GenerationParameters;
  signal: AbortSignal;
  toolContext: Omit<ToolContext, 'signal'>;
  onStep?: (step: Step) => void;
  /**
   * Given, the interpreter is handed over here when the run ends instead of being released: the caller
   * runs more code in the task's final state (the tests scorer's asserts) and releases it.
   */
  keepSession?: (session: CodeSession) => void;
}

const NO_CODE =
  'Error: no code block found in your reply. Write a Thought:, then your Python code between <code> and </code>, and call final_answer(answer) when you are done.';

/** smolagents' stop sequences for code agents: the model must not write its own observations. */
const STOP = ['Observation:', 'Calling tools:'];

/**
 * The code agent: the model writes Python, which runs in a sandboxed interpreter whose variables
 * persist across the steps of the task. Tool calls made from Python are executed here and recorded
 * as steps, so tool usage is exact for code agents too; `final_answer(x)` ends the run.
 */
export async function runCodeAgent(input: CodeAgentInput): Promise<AgentRun> {
  const toolMap = new Map(input.tools.filter((tool) => tool.name !== FINAL_ANSWER).map((tool) => [tool.name, tool]));
  const context: ToolContext = { ...input.toolContext, signal: input.signal };
  const recorder = new RunRecorder('code', input.systemPrompt, input.prompt, input.onStep);
  const { run } = recorder;
  let stepIndex = 0;
  let callNumber = 0;
  // Once the run has ended, code still run in a kept interpreter (the tests scorer's asserts) calls no tool.
  let ended = false;
  const handler: ToolHandler = async (name, args) => {
    if (ended) return { ok: false, error: 'tools are not available after the task ended' };
    const call = { id: `call_code_${++callNumber}`, name, arguments: args };
    const outcome = await executeToolCall(call, toolMap, context);
    const { output, isError, startedAtMs, durationMs, resources } = outcome;
    recorder.record({ type: 'tool-call', index: stepIndex, call, output, isError, startedAtMs, durationMs, resources, source: 'code' });
    return isError ? { ok: false, error: output.replace(/^Error: /, '') } : { ok: true, output };
  };
  // The interpreter warms up while the model writes its first reply; it is awaited at the first code step.
  const acquiring = input.executor.acquire(handler);
  acquiring.catch(() => undefined);
  try {
    for (let index = 1; index <= input.maxSteps; index++) {
      stepIndex = index;
      const response = await modelStep(recorder, { provider: input.provider, generation: input.generation, signal: input.signal, stop: STOP }, index);
      if (isFinished(response)) return response;
      const code = extractCode(response.message.content);
      if (!code) {
        recorder.record({ type: 'parse-error', index, message: NO_CODE });
        run.messages.push({ role: 'user', content: NO_CODE });
        continue;
      }
      const session = await acquiring;
      // The step starts when its code goes to the interpreter: a wait for the interpreter is not part of it.
      const startedAtMs = epochNow();
      const result = await session.run(code, { signal: input.signal });
      if (input.signal.aborted) return recorder.finish({ stopReason: 'aborted' });
      const error = result.error ? `${result.error.type}: ${result.error.message}` : undefined;
      recorder.record({ type: 'code', index, code, stdout: result.stdout, ...(error ? { error } : {}), startedAtMs, durationMs: result.durationMs });
      // A sandbox that broke a limit or its protocol ends the task: its process is gone and nothing it says is trusted.
      if (result.violation) return recorder.finish({ error: { kind: 'sandbox', message: result.violation } });
      if (result.finalAnswer && !result.error) {
        const answer = result.finalAnswer.text;
        recorder.record({ type: 'tool-call', index, call: { id: `call_code_final_${index}`, name: FINAL_ANSWER, arguments: { answer: result.finalAnswer.value } }, output: answer, isError: false, startedAtMs: epochNow(), durationMs: 0, source: 'code' });
        return recorder.finish({ finalAnswer: answer, stopReason: 'final-answer' });
      }
      run.messages.push({ role: 'user', content: `Observation:\n${codeObservation(result)}` });
    }
    return recorder.finish({ error: { kind: 'model', message: `reached max steps (${input.maxSteps}) without a final answer` } });
  } finally {
    ended = true;
    const session = await acquiring.catch(() => undefined);
    if (session && input.keepSession) input.keepSession(session);
    else await session?.release();
  }
}
