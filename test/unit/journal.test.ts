import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JOURNAL_FILE, readResumeState } from '../../src/eval/journal.js';

const line = (uid: string, errorKind: string | null, index = 0) => JSON.stringify({ test_case_uid: uid, test_index: index, error_kind: errorKind });

describe('journal resume state', () => {
  it('takes the last line of each task and runs infrastructure errors again (timeouts only when asked)', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'agent-eval-journal-'));
    const lines = [line('tool:a', 'infrastructure'), line('tool:b', 'timeout'), line('tool:c', null), line('tool:a', null), line('tool:d', 'infrastructure'), line('tool:e', 'model')];
    await writeFile(join(directory, JOURNAL_FILE), `${lines.join('\n')}\n{"test_case_uid":"tool:f","te`);
    const state = await readResumeState(directory, new Set(['infrastructure']));
    expect(state.done.map((record) => record.test_case_uid)).toEqual(['tool:b', 'tool:c', 'tool:a', 'tool:e']);
    expect(state).toMatchObject({ rerun: 1, dropped: 1 });
    // The cut line is gone, so appends start on a fresh line.
    expect(await readFile(join(directory, JOURNAL_FILE), 'utf8')).toBe(`${lines.join('\n')}\n`);
    const retryErrors = await readResumeState(directory, new Set(['infrastructure', 'timeout']));
    expect(retryErrors.done.map((record) => record.test_case_uid)).toEqual(['tool:c', 'tool:a', 'tool:e']);
    expect(retryErrors.rerun).toBe(2);
  });
});
