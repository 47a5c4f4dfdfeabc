import { describe, expect, it } from 'vitest';
import type { AgentRun, Step } from '../../src/agents/types.js';
import { turnOfCall, withSpanToolCalls } from '../../src/eval/span-calls.js';
import type { ReceivedSpan } from '../../src/telemetry/otlp-wire.js';

const turns = [
  { startedAtMs: 1_000, endedAtMs: 2_000, parentSpanId: 'aaaaaaaaaaaaaaaa' },
  { startedAtMs: 3_000, endedAtMs: 4_000, parentSpanId: 'bbbbbbbbbbbbbbbb' },
];

const nanos = (ms: number) => String(BigInt(ms) * 1_000_000n);

function toolSpan(spanId: string, parentSpanId: string, atMs: number, name: string): ReceivedSpan {
  return {
    traceId: 'f'.repeat(32),
    spanId,
    parentSpanId,
    name: `execute_tool ${name}`,
    kind: 1,
    startTimeUnixNano: nanos(atMs),
    endTimeUnixNano: nanos(atMs + 5),
    attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': name },
    statusCode: 0,
    statusMessage: '',
    resource: {},
  };
}

const answer = (index: number, text: string): Step => ({ type: 'tool-call', index, call: { id: `final_${index}`, name: 'final_answer', arguments: { answer: text } }, output: text, isError: false, startedAtMs: 0, durationMs: 0, source: 'native' });

describe("an external agent's tool calls read from its spans", () => {
  it('belong to the turn whose trace context they hang under, else to the turn they started in, else the last one started before them', () => {
    // Under the second turn's context, even though it started during the first turn.
    expect(turnOfCall({ contextSpanId: 'bbbbbbbbbbbbbbbb', startedAtMs: 1_500 }, turns)).toBe(1);
    expect(turnOfCall({ contextSpanId: 'cccccccccccccccc', startedAtMs: 1_500 }, turns)).toBe(0);
    expect(turnOfCall({ contextSpanId: '', startedAtMs: 2_500 }, turns)).toBe(0);
    expect(turnOfCall({ contextSpanId: '', startedAtMs: 9_000 }, turns)).toBe(1);
    expect(turnOfCall({ contextSpanId: '', startedAtMs: 10 }, turns)).toBe(0);
  });

  it("stand in their turn before its answer, with its step, nested spans found through their ancestors; each turn's count is returned", () => {
    const run: AgentRun = { agentType: 'tool', steps: [answer(1, 'How many nights?'), answer(2, '432 euros')], messages: [], usage: { inputTokens: 0, outputTokens: 0 }, modelCalls: 2, actionSteps: 2, stopReason: 'final-answer' };
    const agentSpan = { ...toolSpan('1111111111111111', 'bbbbbbbbbbbbbbbb', 3_100, 'unused'), attributes: { 'gen_ai.operation.name': 'invoke_agent' } };
    const spans = [agentSpan, toolSpan('2222222222222222', '1111111111111111', 3_200, 'calculator'), toolSpan('3333333333333333', 'aaaaaaaaaaaaaaaa', 1_200, 'lookup')];
    const { run: merged, perTurn } = withSpanToolCalls(run, spans, turns);
    expect(perTurn).toEqual([1, 1]);
    expect(merged.steps.map((step) => (step.type === 'tool-call' ? [step.call.name, step.index, step.fromSpans ?? false] : step.type))).toEqual([
      ['lookup', 1, true],
      ['final_answer', 1, false],
      ['calculator', 2, true],
      ['final_answer', 2, false],
    ]);
  });
});
