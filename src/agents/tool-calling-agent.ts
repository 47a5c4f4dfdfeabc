import type { GenerationParameters, Message, ModelProvider, ToolCall } from '../models/types.js';
import { toolSpec } from '../tools/spec.js';
import type { AnyTool, ToolContext } from '../tools/types.js';
import { parseTextAction } from './text-actions.js';
import { executeToolCall } from './tool-executor.js';
import { isFinished, modelStep, RunRecorder } from './agent-run.js';
import { epochNow, type AgentRun, type ErrorKind, type Step } from './types.js';

export const FINAL_ANSWER = 'final_answer';

export interface ToolCallingAgentInput {
  prompt: string;
  systemPrompt: string;
  provider: ModelProvider;
  tools: readonly AnyTool[];
  maxSteps: number;
  generation: GenerationParameters;
  signal: AbortSignal;
  toolContext: Omit<ToolContext, 'signal'>;
  onStep?: (step: Step) => void;
  /** The run of the dialogue's previous turns: this turn goes on from it with `prompt` as the user's message. */
  continueFrom?: AgentRun;
  /** A reply in plain text with no tool call ends the turn with that text as the answer (dialogues). */
  plainTextEndsTurn?: boolean;
}

const NO_ACTION =
  'Error: your reply contained no tool call. Call one of the tools, or call final_answer with your answer.';

/** The reply a final_answer call carries: its `answer` argument (text as is, anything else as JSON). */
export function answerText(call: Pick<ToolCall, 'arguments'>): string {
  const args = call.arguments;
  const answer = typeof args === 'object' && args !== null && 'answer' in args ? (args as { answer: unknown }).answer : args;
  if (typeof answer === 'string') return answer;
  return JSON.stringify(answer ?? null);
}

/**
 * The tool-calling agent: native tool calls when the model makes them, smolagents' `Action:` JSON
 * text format otherwise. `final_answer` ends the run; every model call and tool call is a step.
 */
export async function runToolCallingAgent(input: ToolCallingAgentInput): Promise<AgentRun> {
  const toolMap = new Map(input.tools.map((tool) => [tool.name, tool]));
  const specs = input.tools.map(toolSpec);
  const context: ToolContext = { ...input.toolContext, signal: input.signal };
  const recorder = input.continueFrom ? RunRecorder.continuing(input.continueFrom, input.prompt, input.onStep) : new RunRecorder('tool', input.systemPrompt, input.prompt, input.onStep);
  const { run } = recorder;
  const record = (step: Step) => recorder.record(step);
  let lastToolFailed = false;

  const first = (input.continueFrom?.actionSteps ?? 0) + 1;
  for (let index = first; index < first + input.maxSteps; index++) {
    const response = await modelStep(recorder, { ...input, tools: specs }, index);
    if (isFinished(response)) return response;

    let calls = response.message.toolCalls ?? [];
    const source = calls.length ? 'native' : 'text';
    if (!calls.length) {
      try {
        const parsed = parseTextAction(response.message.content, `call_text_${index}`);
        if (parsed) calls = [parsed];
      } catch (error) {
        const message = `Error: could not parse your action: ${(error as Error).message}`;
        record({ type: 'parse-error', index, message });
        run.messages.push({ role: 'user', content: message });
        continue;
      }
    }
    const text = response.message.content.trim();
    if (!calls.length && input.plainTextEndsTurn && text) return recorder.finish({ finalAnswer: text, stopReason: 'final-answer' });
    if (!calls.length) {
      record({ type: 'parse-error', index, message: NO_ACTION });
      run.messages.push({ role: 'user', content: NO_ACTION });
      continue;
    }

    const actions = calls.filter((call) => call.name !== FINAL_ANSWER);
    const outcomes = await Promise.all(actions.map((call) => executeToolCall(call, toolMap, context)));
    if (input.signal.aborted) return recorder.finish({ stopReason: 'aborted' });
    const observations: Message[] = [];
    actions.forEach((call, position) => {
      const outcome = outcomes[position]!;
      const { output, isError, startedAtMs: toolStartedAtMs, durationMs, resources } = outcome;
      record({ type: 'tool-call', index, call, output, isError, startedAtMs: toolStartedAtMs, durationMs, resources, source });
      observations.push(
        source === 'native'
          ? { role: 'tool', toolCallId: call.id, name: call.name, content: outcome.output, ...(outcome.isError ? { isError: true } : {}) }
          : { role: 'user', content: `Observation:\n${outcome.output}` },
      );
    });
    lastToolFailed = outcomes.length > 0 && outcomes.every((outcome) => outcome.isError);

    const finalCall = calls.find((call) => call.name === FINAL_ANSWER);
    if (finalCall) {
      const answer = answerText(finalCall);
      record({ type: 'tool-call', index, call: finalCall, output: answer, isError: false, startedAtMs: epochNow(), durationMs: 0, source });
      if (source === 'native') observations.push({ role: 'tool', toolCallId: finalCall.id, name: FINAL_ANSWER, content: answer });
      run.messages.push(...observations);
      return recorder.finish({ finalAnswer: answer, stopReason: 'final-answer' });
    }
    run.messages.push(...observations);
  }
  const kind: ErrorKind = lastToolFailed ? 'tool' : 'model';
  return recorder.finish({ error: { kind, message: `reached max steps (${input.maxSteps}) without a final answer` } });
}
