import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hubDatasetCacheDir, loadTasks, loadTaskSet } from '../../src/tasks/load.js';
import { checkTaskIds, selectTasks, unknownExpectedToolNotices } from '../../src/tasks/select.js';

let directory: string;
const file = async (name: string, text: string) => {
  const path = join(directory, name);
  await writeFile(path, text);
  return path;
};

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'agent-eval-tasks-'));
});

const row = (extra: Record<string, unknown> = {}) => JSON.stringify({ id: 't1', prompt: 'What is 2+2?', difficulty: 'easy', agent_type: 'tool', ...extra });

describe('loadTasks', () => {
  it('loads JSONL rows with defaults for optional fields', async () => {
    const path = await file('ok.jsonl', `${row()}\n\n${row({ id: 't2', difficulty: 'HARD', agent_type: undefined, expected_keywords: [4] })}\n`);
    const tasks = await loadTasks({ datasetName: path, split: 'train' });
    expect(tasks).toHaveLength(2);
    expect(tasks[0]).toMatchObject({ id: 't1', expected_tool: null, expected_tool_calls: null, expected_keywords: [], category: null });
    expect(tasks[1]).toMatchObject({ difficulty: 'hard', agent_type: 'both', expected_keywords: ['4'] });
  });

  it('loads a JSON list or a split from a JSON object, keeping unknown columns', async () => {
    const list = await file('list.json', `[${row({ source: 'x' })}]`);
    expect((await loadTasks({ datasetName: list, split: 'train' }))[0]).toMatchObject({ id: 't1', source: 'x' });
    const splits = await file('splits.json', JSON.stringify({ test: [JSON.parse(row({ id: 'only-test' }))] }));
    expect((await loadTasks({ datasetName: splits, split: 'test' }))[0]!.id).toBe('only-test');
    await expect(loadTasks({ datasetName: splits, split: 'train' })).rejects.toThrow(/no "train" or "data" list/);
  });

  it('names the file and line of a malformed JSONL line', async () => {
    const path = await file('bad.jsonl', `${row()}\n{"id": "t2", "prompt": \n`);
    await expect(loadTasks({ datasetName: path, split: 'train' })).rejects.toThrow(new RegExp(`^${path}:2: not valid JSON`));
  });

  it('names the field of a bad row', async () => {
    const missing = await file('noprompt.jsonl', `${JSON.stringify({ id: 'x', difficulty: 'easy' })}\n`);
    await expect(loadTasks({ datasetName: missing, split: 'train' })).rejects.toThrow(`${missing} line 1: field 'prompt' is missing`);
    const level = await file('level.jsonl', `${row({ difficulty: 'extreme' })}\n`);
    await expect(loadTasks({ datasetName: level, split: 'train' })).rejects.toThrow(/line 1: field 'difficulty'/);
    await expect(loadTasks({ datasetName: level, split: 'train' })).rejects.toThrow(
      `${level} line 1: field 'difficulty' must be easy, medium or hard (any case), not the string "extreme"`,
    );
    const duplicate = await file('dup.jsonl', `${row()}\n${row()}\n`);
    await expect(loadTasks({ datasetName: duplicate, split: 'train' })).rejects.toThrow(/line 2: duplicate task id 't1' \(first at line 1\)/);
  });

  it('says what a field must be, in plain words, when it is there but wrong', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ expected_keywords: '20' }, `field 'expected_keywords' must be a list, not the string "20"`],
      [{ expected_keywords: ['20', { value: 1 }] }, `field 'expected_keywords.1' must be a string or a number, not an object`],
      [{ agent_type: 'robot' }, `field 'agent_type' must be tool, code or both (any case), not the string "robot"`],
      [{ expected_tool_calls: '2' }, `field 'expected_tool_calls' must be a number, not the string "2"`],
      [{ expected_tool_calls: 1.5 }, `field 'expected_tool_calls' must be a whole number, not the number 1.5`],
      [{ expected_tool_calls: -1 }, `field 'expected_tool_calls' must be 0 or more, not the number -1`],
      [{ expected_tool: 5 }, `field 'expected_tool' must be a string, not the number 5`],
      [{ prompt: '  ' }, `field 'prompt' must be a non-empty string`],
      [{ difficulty: null }, `field 'difficulty' must be a string, not null`],
    ];
    for (const [index, [extra, message]] of cases.entries()) {
      const path = await file(`wrong-${index}.jsonl`, `${row(extra)}\n`);
      await expect(loadTasks({ datasetName: path, split: 'train' })).rejects.toThrow(`${path} line 1: ${message}`);
    }
  });

  it('refuses unreadable files, names that are neither files nor Hub ids, and empty files clearly', async () => {
    await expect(loadTasks({ datasetName: join(directory, 'none.jsonl'), split: 'train' })).rejects.toThrow(/cannot read the file \(ENOENT\)/);
    await expect(loadTasks({ datasetName: 'tasks.csv', split: 'train' })).rejects.toThrow(/give 'builtin' \(or 'builtin:code-tests', 'builtin:bash'.*\), a local \.json or \.jsonl file, or a Hub dataset id/);
    await expect(loadTasks({ datasetName: 'org/tasks', split: 'train', allowHub: false })).rejects.toThrow(/Hub datasets are not allowed with --security-profile closed/);
    await expect(loadTasks({ datasetName: 'builtin', split: 'train', revision: 'main' })).rejects.toThrow(/--dataset-revision: only for Hub datasets/);
    const empty = await file('empty.jsonl', '\n');
    await expect(loadTasks({ datasetName: empty, split: 'train' })).rejects.toThrow(/no task rows/);
  });

  it('loads the built-in set', async () => {
    const tasks = await loadTasks({ datasetName: 'builtin', split: 'train' });
    expect(tasks.length).toBeGreaterThanOrEqual(20);
  });

  it('says where a local task set came from (sha256 of the file)', async () => {
    const path = await file('source.jsonl', row() + '\n');
    const { tasks, source } = await loadTaskSet({ datasetName: path, split: 'train' });
    expect(tasks.map((task) => task.id)).toEqual(['t1']);
    expect(source).toEqual({ kind: 'file', dataset: path, split: 'train', sha: expect.stringMatching(/^[0-9a-f]{64}$/), pinned: true, notices: [] });
    expect((await loadTaskSet({ datasetName: 'builtin', split: 'train' })).source).toMatchObject({ kind: 'builtin', pinned: true });
  });

  it('caches Hub datasets under HF_HOME', () => {
    expect(hubDatasetCacheDir({ HF_HOME: '/hf' })).toBe(join('/hf', 'agent-eval', 'datasets'));
    expect(hubDatasetCacheDir({ HOME: '/home/u' })).toBe(join('/home/u', '.cache', 'huggingface', 'agent-eval', 'datasets'));
  });
});

describe('selectTasks', () => {
  const tasks = [
    { id: 'a', agent_type: 'tool', difficulty: 'easy' },
    { id: 'b', agent_type: 'code', difficulty: 'easy' },
    { id: 'c', agent_type: 'both', difficulty: 'hard' },
    { id: 'd', agent_type: 'tool', difficulty: 'hard' },
  ] as unknown as Parameters<typeof selectTasks>[0];

  it('filters by agent type (both counts for each), difficulty, ids and limit', () => {
    expect(selectTasks(tasks, { agentType: 'tool' }).map((task) => task.id)).toEqual(['a', 'c', 'd']);
    expect(selectTasks(tasks, { agentType: 'code' }).map((task) => task.id)).toEqual(['b', 'c']);
    expect(selectTasks(tasks, { agentType: 'tool', difficulty: 'hard' }).map((task) => task.id)).toEqual(['c', 'd']);
    expect(selectTasks(tasks, { agentType: 'tool', taskIds: ['d', 'a'] }).map((task) => task.id)).toEqual(['a', 'd']);
    expect(selectTasks(tasks, { agentType: 'tool', limit: 1 }).map((task) => task.id)).toEqual(['a']);
  });

  it('warns about expected tools that no offered tool has, one line per name', () => {
    const rows = [
      { id: 'a', expected_tool: 'get_wether' },
      { id: 'b', expected_tool: 'get_weather' },
      { id: 'c', expected_tool: 'multiple' },
      { id: 'd', expected_tool: null },
      { id: 'e', expected_tool: 'get_wether' },
      { id: 'f', expected_tool: 'read_file' },
    ];
    expect(unknownExpectedToolNotices(rows, ['get_weather', 'calculator', 'final_answer'])).toEqual([
      "expected_tool 'get_wether' of task(s) a, e is not among the offered tools (get_weather, calculator, final_answer), so they cannot pass; check the name or enable it with --enable-tools",
      "expected_tool 'read_file' of task(s) f is not among the offered tools (get_weather, calculator, final_answer), so they cannot pass; check the name or enable it with --enable-tools",
    ]);
    expect(unknownExpectedToolNotices(rows.slice(1, 4), ['get_weather'])).toEqual([]);
  });

  it('rejects unknown task ids', () => {
    expect(() => checkTaskIds(tasks, ['a', 'zz'])).toThrow("--task-id: no task with id 'zz' in the dataset");
  });
});
