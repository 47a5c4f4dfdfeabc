// The pieces that keep a run's memory flat in its number of tasks: the journal read line by line and
// by offset, the journal's offsets and its copy from an open (deleted) file, JSON arrays written and
// read one element at a time, and the run's incremental totals.
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal, JournalError, JOURNAL_FILE, readResumeState } from '../../src/eval/journal.js';
import { journalLines, journalRecords } from '../../src/eval/journal-reader.js';
import { RunTotals } from '../../src/eval/run-totals.js';
import type { TaskResult } from '../../src/eval/types.js';
import { JsonArrayFile } from '../../src/sinks/json-array-file.js';
import { jsonArrayElements, jsonArrayElementTexts } from '../../src/sinks/json-array-reader.js';
import { formatDialogueSummary, formatFailedTotals, summariseRun, summariseTotals } from '../../src/report/summary.js';

let folder: string;
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'agent-eval-streamed-'));
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

// Lines longer than the reader's 1 MiB chunk, and multi-byte characters across chunk boundaries.
const long = 'é'.repeat(700_000);

describe('journal lines and records', () => {
  it('reads lines with their byte offsets across chunks, and marks a cut last line', async () => {
    const path = join(folder, JOURNAL_FILE);
    const lines = [JSON.stringify({ a: 1 }), JSON.stringify({ long }), JSON.stringify({ b: 'ü' })];
    await writeFile(path, `${lines.join('\n')}\n{"cut":`);
    const read = await collect(journalLines(path));
    expect(read.map((line) => line.text)).toEqual([...lines, '{"cut":']);
    expect(read.map((line) => line.complete)).toEqual([true, true, true, false]);
    const bytes = await readFile(path);
    for (const line of read) expect(bytes.toString('utf8', line.offset, line.offset + line.length)).toBe(line.text);
    // Records by offset, in the order asked (not file order), adjacent ones read together.
    const places = [read[2]!, read[0]!, read[1]!];
    expect(await collect(journalRecords(path, places))).toEqual([{ b: 'ü' }, { a: 1 }, { long }]);
  });

  it('says where each appended line lies; a resume reads the offsets of the clean file', async () => {
    const journal = await Journal.open(folder, 'create');
    const first = await journal.appendJson(JSON.stringify({ test_case_uid: 'tool:a', test_index: 1, error_kind: null }));
    const second = await journal.appendJson(JSON.stringify({ test_case_uid: 'tool:b', test_index: 0, error_kind: null, text: 'ß' }));
    await journal.close();
    expect(first).toEqual({ offset: 0, length: Buffer.byteLength(JSON.stringify({ test_case_uid: 'tool:a', test_index: 1, error_kind: null })) });
    expect(second.offset).toBe(first.length + 1);
    const path = join(folder, JOURNAL_FILE);
    expect(await collect(journalRecords(path, [second, first]))).toMatchObject([{ test_case_uid: 'tool:b' }, { test_case_uid: 'tool:a' }]);

    // A blank line and a cut line are dropped; the offsets are those of the rewritten file.
    await writeFile(path, `\n${await readFile(path, 'utf8')}{"test_case_uid":"tool:c"`);
    const state = await readResumeState(folder, new Set(['infrastructure']));
    expect(state.dropped).toBe(1);
    expect(await collect(journalRecords(path, state.done))).toMatchObject([{ test_case_uid: 'tool:a' }, { test_case_uid: 'tool:b' }]);
    // A last line that lost only its newline is kept, and the newline put back.
    await writeFile(path, `${await readFile(path, 'utf8')}{"test_case_uid":"tool:d","test_index":3}`);
    const kept = await readResumeState(folder, new Set(['infrastructure']));
    expect(kept.dropped).toBe(0);
    expect(await collect(journalRecords(path, kept.done))).toMatchObject([{ test_case_uid: 'tool:a' }, { test_case_uid: 'tool:b' }, { test_case_uid: 'tool:d' }]);
    expect((await readFile(path, 'utf8')).endsWith('"test_index":3}\n')).toBe(true);
    // Appends after a resume continue at the end of the clean file.
    const resumed = await Journal.open(folder, 'append');
    const third = await resumed.appendJson('{"test_case_uid":"tool:c","test_index":2}');
    await resumed.close();
    expect(await collect(journalRecords(path, [third]))).toEqual([{ test_case_uid: 'tool:c', test_index: 2 }]);
  });

  it('keeps lines written after the journal was deleted in its open file and copies them back', async () => {
    const journal = await Journal.open(folder, 'create');
    await journal.appendJson('{"n":1}');
    await unlink(join(folder, JOURNAL_FILE));
    const failure = await journal.appendJson('{"n":2}').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(JournalError);
    expect((failure as JournalError).deleted).toBe(true);
    expect((failure as JournalError).at).toEqual({ offset: 8, length: 7 });
    // Later lines still go to the open file (they are put back with the rest).
    await expect(journal.appendJson('{"n":3}')).rejects.toMatchObject({ deleted: true, at: { offset: 16, length: 7 } });
    await journal.copyTo(join(folder, JOURNAL_FILE));
    await journal.close();
    expect(await readFile(join(folder, JOURNAL_FILE), 'utf8')).toBe('{"n":1}\n{"n":2}\n{"n":3}\n');
  });
});

describe('JSON arrays one element at a time', () => {
  const cases: unknown[][] = [
    [],
    [{ a: 1 }],
    [{ text: 'brackets ] } [ { and "quotes" and \\ backslashes', nested: [[1, 2], { x: [] }], empty: {} }, 'a string', 3.5, null, true, [], {}],
    [{ long }, { after: long.slice(0, 10) }],
  ];

  it('writes what JSON.stringify(array, null, 2) writes, byte for byte, and reads it back', async () => {
    for (const elements of cases) {
      const path = join(folder, 'array.json');
      const file = await JsonArrayFile.create(path);
      for (const element of elements) await file.add(JSON.stringify(element, null, 2));
      await file.commit();
      expect(await readFile(path, 'utf8')).toBe(`${JSON.stringify(elements, null, 2)}\n`);
      expect(await collect(jsonArrayElements(path))).toEqual(elements);
      // Compact JSON with no whitespace at all reads the same.
      await writeFile(path, JSON.stringify(elements));
      expect(await collect(jsonArrayElements(path))).toEqual(elements);
    }
  });

  it('leaves nothing behind when the writing is abandoned', async () => {
    const file = await JsonArrayFile.create(join(folder, 'gone.json'));
    await file.add('{}');
    await file.abort();
    await expect(readFile(join(folder, 'gone.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('says where a file stops being a JSON array', async () => {
    const path = join(folder, 'bad.json');
    for (const [text, message] of [
      ['{"a":1}', 'expected [ at byte 0'],
      ['[{"a":1},]', 'expected a value at byte 9'],
      ['[{"a":1} {"b":2}]', 'expected , or ] at byte 9'],
      ['[{"a":1}', 'unexpected end of the file at byte 8'],
      ['[1] 2', 'unexpected text after the array at byte 4'],
    ] as const) {
      await writeFile(path, text);
      await expect(collect(jsonArrayElementTexts(path)), text).rejects.toThrow(message);
    }
    await writeFile(path, '[{"a":1}, {"b":}]');
    await expect(collect(jsonArrayElements(path))).rejects.toThrow(/^element 2: /);
  });
});

function result(index: number, overrides: Partial<TaskResult> = {}): TaskResult {
  return {
    test_index: index, test_case_uid: `tool:t${index}`, agent_type: 'tool', difficulty: 'easy', success: true, tool_called: true, correct_tool: true,
    steps: 2, tools_used: ['calculator'], error: null, error_kind: null, failure_reason: null, failure_detail: null,
    execution_time_ms: 10 * (index + 1), total_tokens: 5, input_tokens: 3, output_tokens: 2, cost_usd: 0.5, model_calls: 3,
    ...overrides,
  } as TaskResult;
}

describe('run totals', () => {
  it('adds results in any order and keeps the failed tasks with the lowest test_index', () => {
    const failed = (index: number) => result(index, { success: false, failure_reason: 'no_tool_call', failure_detail: `task ${index}` });
    const results = [result(0), ...Array.from({ length: 14 }, (_, index) => failed(14 - index)), result(20, { agent_type: 'code', cost_usd: null })];
    const totals = RunTotals.of(results);
    expect(totals).toMatchObject({ count: 16, successful: 2, failed: 14, totalTokens: 80, modelCalls: 48, costUsd: null });
    expect(totals.firstFailed.map((task) => task.test_index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(formatFailedTotals(totals)).toHaveLength(11);
    expect(formatFailedTotals(totals)[10]).toBe('... and 4 more failed task(s): see failure_reason in results.json');
    // The same summaries as from the array, per agent type and combined.
    expect(summariseTotals(totals)).toEqual(summariseRun(results));
    expect(summariseTotals(totals).map((summary) => summary.label)).toEqual(['TOOL', 'CODE', 'COMBINED']);
    expect(RunTotals.of([result(0), result(1)]).costUsd).toBe(1);
  });

  it('counts dialogue tasks apart: turns, stop reasons, and the simulated user\'s tokens and cost apart from the agent\'s', () => {
    const dialogue = (index: number, overrides: Partial<TaskResult>) =>
      result(index, { turns: 2, user_turns: 2, dialogue_stop_reason: 'goal_met', user_input_tokens: 30, user_output_tokens: 5, user_cost_usd: 0.25, ...overrides });
    const results = [
      result(0),
      dialogue(1, {}),
      dialogue(2, { success: false, turns: 3, user_turns: 3, dialogue_stop_reason: 'max_turns' }),
      dialogue(3, { success: false, turns: 1, user_turns: 1, dialogue_stop_reason: 'user_stopped', user_cost_usd: 0.5 }),
      dialogue(4, { success: false, turns: 2, user_turns: 1, dialogue_stop_reason: 'simulator_error' }),
    ];
    const totals = RunTotals.of(results);
    expect(totals.dialogue).toEqual({
      total: 4, successful: 1, turns: 8, userTurns: 7, stopReasons: { goal_met: 1, max_turns: 1, user_stopped: 1, simulator_error: 1 },
      agentInputTokens: 12, agentOutputTokens: 8, agentCostUsd: 2, userInputTokens: 120, userOutputTokens: 20, userCostUsd: 1.25,
    });
    expect(formatDialogueSummary(totals.dialogue)).toEqual([
      '--- DIALOGUE SUMMARY ---',
      'Total: 4, Success: 1/4 (25.0%)',
      'Avg agent turns: 2.00, Avg user turns: 1.75',
      'Stop reasons: goal_met 1, user_stopped 1, max_turns 1, simulator_error 1',
      'Agent: 12 input + 8 output tokens, cost $2.000000',
      'Simulated user: 120 input + 20 output tokens, cost $1.250000',
    ]);
    // An unknown price is unknown, not $0; a run without dialogues prints nothing.
    const unpriced = RunTotals.of([dialogue(0, { user_cost_usd: null })]);
    expect(formatDialogueSummary(unpriced.dialogue).at(-1)).toBe('Simulated user: 30 input + 5 output tokens, cost unknown');
    expect(formatDialogueSummary(RunTotals.of([result(0)]).dialogue)).toEqual([]);
  });
});
