/**
 * The Python a code agent ran, read back from its result row: each assistant message is one model step,
 * and the code of a step is the code of that reply (`extractCode`, as the agent read it). The tools that
 * code called are in the row's `tool_calls` under the step's number, with the outputs they gave; `score`
 * answers the same calls with the same outputs when it runs the steps again.
 */
import { extractCode } from '../agents/code-blocks.js';
import type { ToolHandler } from '../agents/code-executor.js';
import type { ReportTask } from '../report/run-reader.js';

/** One tool call a code step made in the run, with what it returned. */
export interface RecordedToolCall {
  name: string;
  arguments: unknown;
  output: string;
  isError: boolean;
}

/** One code step of the run: its model step number, its code, and the tools its code called, in order. */
export interface RecordedCodeStep {
  step: number;
  code: string;
  calls: RecordedToolCall[];
}

const FINAL_ANSWER = 'final_answer';

/** A message's text: a string, or the text parts of a list of parts (as imported rows keep them). */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (typeof part === 'string' ? part : typeof part === 'object' && part !== null && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : ''))
    .join('');
}

/** The code steps a code agent's row records, in the order they ran; empty when it recorded no code. */
export function recordedCodeSteps(row: ReportTask['row']): RecordedCodeStep[] {
  const calls = new Map<number, RecordedToolCall[]>();
  for (const call of row.tool_calls ?? []) {
    if (call.name === FINAL_ANSWER || typeof call.step !== 'number') continue;
    const list = calls.get(call.step) ?? [];
    list.push({ name: call.name, arguments: call.arguments ?? {}, output: call.output ?? '', isError: call.is_error ?? false });
    calls.set(call.step, list);
  }
  const steps: RecordedCodeStep[] = [];
  let step = 0;
  for (const message of row.messages ?? []) {
    if (typeof message !== 'object' || message === null || (message as { role?: unknown }).role !== 'assistant') continue;
    step++;
    const code = extractCode(textOf((message as { content?: unknown }).content));
    if (code !== undefined) steps.push({ step, code, calls: calls.get(step) ?? [] });
  }
  return steps;
}

/** The tools the steps called (name and parameter names, in the order first seen), for the sandbox to define. */
export function recordedTools(steps: readonly RecordedCodeStep[]): Map<string, string[]> {
  const tools = new Map<string, string[]>();
  for (const call of steps.flatMap((step) => step.calls)) {
    const parameters = tools.get(call.name) ?? [];
    const names = typeof call.arguments === 'object' && call.arguments !== null && !Array.isArray(call.arguments) ? Object.keys(call.arguments) : [];
    for (const name of names) if (!parameters.includes(name)) parameters.push(name);
    tools.set(call.name, parameters);
  }
  return tools;
}

/**
 * Answers a step's tool calls with the outputs recorded for that step: each call takes the first recorded
 * call of the same name not yet taken. A call the run did not make is an error the code sees (as a
 * failing tool), never a real tool run.
 */
export function replayHandler(calls: readonly RecordedToolCall[]): ToolHandler {
  const left = [...calls];
  return async (name) => {
    const index = left.findIndex((call) => call.name === name);
    if (index < 0) return { ok: false, error: `${name}: no output recorded for this call in the run` };
    const [call] = left.splice(index, 1);
    return call!.isError ? { ok: false, error: call!.output.replace(/^Error: /, '') } : { ok: true, output: call!.output };
  };
}
