import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScoringFlags } from '../../src/cli/scoring-options.js';
import { applyMapping, columnMapping, GAIA_MAPPING, mapRows } from '../../src/tasks/column-map.js';
import { validateRows } from '../../src/tasks/rows.js';

const rows = (...values: object[]) => values.map((value, index) => ({ value, location: `line ${index + 1}` }));

describe('column maps', () => {
  it("maps columns, keeps the originals, and fits values to their fields (GAIA's levels, one keyword)", () => {
    const mapping = { columns: { id: 'qid', prompt: 'q', difficulty: 'level', expected_keywords: 'kw' }, defaults: { scorer: 'includes' }, origin: '--column-map' };
    const [mapped] = [...mapRows(rows({ qid: 7, q: 'Why?', level: 2, kw: 'because' }), mapping, 'data.jsonl')];
    expect(mapped!.value).toEqual({ qid: 7, q: 'Why?', level: 2, kw: 'because', id: 7, prompt: 'Why?', difficulty: 'medium', expected_keywords: ['because'], scorer: 'includes' });
    const [task] = validateRows('data.jsonl', [mapped!]);
    expect(task).toMatchObject({ id: '7', prompt: 'Why?', difficulty: 'medium', scorer: 'includes' });
  });

  it('recognises GAIA rows without a mapping, hides the test split\'s "?" answers, and leaves other rows alone', () => {
    const gaia = rows({ task_id: 'abc', Question: 'Q?', Level: '3', 'Final answer': '?', file_name: '' });
    expect([...applyMapping(gaia, undefined, 'x')][0]!.value).toMatchObject({ id: 'abc', prompt: 'Q?', difficulty: 'hard', expected_answer: null, scorer: 'gaia' });
    const plain = rows({ id: 'a', prompt: 'p', difficulty: 'easy' });
    expect([...applyMapping(plain, undefined, 'x')][0]!.value).toEqual({ id: 'a', prompt: 'p', difficulty: 'easy' });
    expect(GAIA_MAPPING.columns.expected_answer).toBe('Final answer');
  });

  it("maps GAIA's true_answer when Final answer is absent, and no answer when neither is there", () => {
    const scored = rows({ task_id: 'abc', Question: 'Q?', Level: 1, true_answer: '17' });
    expect([...applyMapping(scored, undefined, 'x')][0]!.value).toMatchObject({ id: 'abc', expected_answer: '17', scorer: 'gaia' });
    const both = rows({ task_id: 'abc', Question: 'Q?', Level: 1, 'Final answer': '3', true_answer: '17' });
    expect([...applyMapping(both, undefined, 'x')][0]!.value).toMatchObject({ expected_answer: '3' });
    const neither = rows({ task_id: 'abc', Question: 'Q?', Level: 1 });
    const [task] = validateRows('x', applyMapping(neither, undefined, 'x'));
    expect(task).toMatchObject({ id: 'abc', expected_answer: null, scorer: 'gaia' });
  });

  it('lists the row\'s columns when a required field is missing and no map is given', () => {
    expect(() => validateRows('qa.jsonl', rows({ id: 'a', question: 'Why?', difficulty: 'easy' }))).toThrow(
      "qa.jsonl line 1: field 'prompt' is missing (the row's columns: id, question, difficulty; map one with --column-map prompt=COLUMN)",
    );
    expect(() => validateRows('qa.jsonl', rows({ qid: 'a', prompt: 'Why?', difficulty: 'easy' }))).toThrow(
      "qa.jsonl line 1: field 'id' is missing (the row's columns: qid, prompt, difficulty; map one with --column-map id=COLUMN)",
    );
  });

  it('merges --task-config columns and defaults under --column-map', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'agent-eval-task-config-'));
    const file = join(folder, 'config.yaml');
    await writeFile(file, 'columns:\n  prompt: question\n  id: key\ndefaults:\n  difficulty: easy\n');
    expect(await columnMapping({ id: 'task_id' }, file)).toEqual({ columns: { prompt: 'question', id: 'task_id' }, defaults: { difficulty: 'easy' }, origin: `--column-map (over --task-config ${file})` });
    await writeFile(file, 'columns: [prompt]\n');
    await expect(columnMapping(undefined, file)).rejects.toThrow(`--task-config ${file}: field 'columns' `);
    expect(await columnMapping(undefined, undefined)).toBeUndefined();
  });
});

describe('scoring flags', () => {
  it('reads scorers as a comma list or repeated, the judge, and repeats', () => {
    const { options, gaiaSubmission } = parseScoringFlags({ scorer: ['smoltrace,judge', 'exact'], judgeModel: 'openai/gpt-4o', judgeArgs: ['temperature=0.2'], epochs: '3', exportGaiaSubmission: 'sub.jsonl', columnMap: ['prompt=question id=task_id'] });
    expect(options).toEqual({ scorers: ['smoltrace', 'judge', 'exact'], judge: { model: 'openai/gpt-4o', args: { temperature: 0.2 } }, repeats: 3, columnMap: { prompt: 'question', id: 'task_id' } });
    expect(gaiaSubmission).toBe('sub.jsonl');
  });

  it('names the flag in one line when a value is wrong', () => {
    expect(() => parseScoringFlags({ repeats: '0' })).toThrow('--repeats: must be at least 1');
    expect(() => parseScoringFlags({ repeats: '2', epochs: '3' })).toThrow('--repeats and --epochs: the same setting, give one');
    expect(() => parseScoringFlags({ judgeTrajectory: true })).toThrow('--judge-trajectory: only with --judge-model');
    expect(() => parseScoringFlags({ judgeModel: 'openai/x', judgeArgs: ['temperature'] })).toThrow('--judge-args temperature: expected KEY=VALUE');
    expect(() => parseScoringFlags({ columnMap: ['prompt'] })).toThrow('--column-map prompt: expected FIELD=COLUMN (e.g. prompt=question)');
    expect(() => parseScoringFlags({ columnMap: ['id=a', 'id=b'] })).toThrow("--column-map: field 'id' is mapped twice");
  });
});
