import { describe, expect, it } from 'vitest';
import { dpoRows, rewardRows, sftRows } from '../../src/export/formats.js';
import { trajectoriesOf } from '../../src/export/trajectories.js';
import type { LoadedRun } from '../../src/report/run-reader.js';

function run(label: string, rows: Record<string, unknown>[]): LoadedRun {
  return {
    source: label,
    label,
    metadata: null,
    leaderboard: null,
    gpu: [],
    hasTraces: false,
    missingFiles: [],
    tasks: rows.map((row, index) => ({ uid: String(row.test_case_uid), repeat: index, key: `${String(row.test_case_uid)}#${index}`, row: row as LoadedRun['tasks'][number]['row'], trace: null })),
  };
}

const conversation = (answer: string) => [
  { role: 'user', content: 'What is 6 x 7?' },
  { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'calculator', arguments: '{"expression":"6*7"}' } }] },
  { role: 'tool', tool_call_id: 'c1', content: '42' },
  { role: 'assistant', content: answer },
];

const rows = [
  { task_id: 'mul', test_case_uid: 'tool:mul', success: true, steps: 2, messages: conversation('42'), scores: { judge: { value: 0.9, passed: true, explanation: '' } }, tool_definitions: [{ type: 'function', name: 'calculator', description: 'math', parameters: { type: 'object' } }] },
  { task_id: 'mul', test_case_uid: 'tool:mul', success: false, steps: 2, messages: conversation('41'), scores: { judge: { value: 0.2, passed: false, explanation: '' } } },
  { task_id: 'mul', test_case_uid: 'tool:mul', success: true, steps: 7, messages: conversation('forty-two'), scores: { judge: { value: 0.6, passed: true, explanation: '' } } },
  // Imported and not scored: the reader reads success as false, the empty scores say it is unscored.
  { task_id: 'add', test_case_uid: 'tool:add', success: false, steps: 1, messages: conversation('5'), scores: {}, source_format: 'otel' },
];

describe('export trajectories', () => {
  it('takes tools from the row in OpenAI form and names tool messages', () => {
    const { trajectories } = trajectoriesOf([run('a', rows)]);
    expect(trajectories[0]!.tools).toEqual([{ type: 'function', function: { name: 'calculator', description: 'math', parameters: { type: 'object' } } }]);
    expect(trajectories[0]!.messages[2]).toEqual({ role: 'tool', tool_call_id: 'c1', content: '42', name: 'calculator' });
    expect(trajectories[3]!.success).toBeNull();
    expect(sftRows(trajectories)[0]).toMatchObject({ task_id: 'mul', success: true, score: 1 });
  });

  it("filters by a scorer's value, success and steps, and says what it left out", () => {
    const byJudge = trajectoriesOf([run('a', rows)], { scorer: 'judge', minScore: 0.5 });
    expect(byJudge.trajectories.map((trajectory) => trajectory.score)).toEqual([0.9, 0.6]);
    expect(byJudge.dropped).toMatchObject({ score: 1, unscored: 1 });
    const short = trajectoriesOf([run('a', rows)], { onlySuccess: true, maxSteps: 5 });
    expect(short.trajectories).toHaveLength(1);
    expect(short.dropped).toMatchObject({ failed: 1, unscored: 1, steps: 1 });
  });

  it('pairs each failing rollout with a passing one (dpo) and groups rollouts per task (rewards)', () => {
    const { trajectories } = trajectoriesOf([run('a', rows)]);
    const pairs = dpoRows(trajectories, () => true);
    expect(pairs).toHaveLength(1);
    expect(pairs[0]).toMatchObject({ task_id: 'mul', prompt: [{ role: 'user', content: 'What is 6 x 7?' }], chosen_score: 1, rejected_score: 0 });
    expect((pairs[0]!.chosen as { content: string }[]).at(-1)!.content).toBe('42');
    expect((pairs[0]!.rejected as { content: string }[]).at(-1)!.content).toBe('41');
    expect(dpoRows(trajectories, (trajectory) => trajectory.steps <= 1)).toEqual([]);
    const groups = rewardRows(trajectories);
    expect(groups.map((group) => [group.task_id, group.scores])).toEqual([['mul', [1, 0, 1]], ['add', [null]]]);
  });
});
