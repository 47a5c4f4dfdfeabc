import { describe, expect, it } from 'vitest';
import { loadTaskSet } from '../../src/tasks/load.js';
import { rowTests } from '../../src/tasks/executed-columns.js';
import { runOnFreshFixture } from '../../src/tools/bash-tool.js';

describe('built-in sets scored by execution', () => {
  it('builtin:code-tests: at least 20 function tasks, each with asserts, scored by tests', async () => {
    const { tasks, source } = await loadTaskSet({ datasetName: 'builtin:code-tests', split: 'train' });
    expect(source).toMatchObject({ kind: 'builtin', dataset: 'builtin:code-tests', pinned: true });
    expect(tasks.length).toBeGreaterThanOrEqual(20);
    for (const task of tasks) {
      expect(task.scorer, task.id).toBe('tests');
      expect(rowTests(task).length, task.id).toBeGreaterThanOrEqual(3);
      expect(task.prompt, task.id).toMatch(/Write a Python (function|class) `\w+/);
    }
  });

  it('builtin:bash: at least 20 shell tasks whose reference prints an answer on their fixture', async () => {
    const { tasks } = await loadTaskSet({ datasetName: 'builtin:bash', split: 'train' });
    expect(tasks.length).toBeGreaterThanOrEqual(20);
    const kinds = { find: 0, count: 0, sort: 0, extract: 0, rename: 0 };
    for (const task of tasks) {
      expect(task, task.id).toMatchObject({ scorer: 'bash', reference_command: expect.any(String) });
      expect(Object.keys(task.fixture ?? {}).length, task.id).toBeGreaterThan(0);
      const output = await runOnFreshFixture(task.fixture ?? {}, task.reference_command!);
      expect(output.exitCode, `${task.id}: ${output.stderr}`).toBe(0);
      expect(output.stdout.trim(), task.id).not.toBe('');
      const command = task.reference_command!;
      if (/\bfind\b/.test(command)) kinds.find++;
      if (/\bwc\b|grep -c|uniq -c/.test(command)) kinds.count++;
      if (/\bsort\b/.test(command)) kinds.sort++;
      if (/\b(cut|awk|sed|jq)\b/.test(command)) kinds.extract++;
      if (/\bmv\b/.test(command)) kinds.rename++;
    }
    for (const [kind, count] of Object.entries(kinds)) expect(count, kind).toBeGreaterThanOrEqual(2);
  });

  it('names the built-in sets when a name is unknown', async () => {
    await expect(loadTaskSet({ datasetName: 'builtin:nope', split: 'train' })).rejects.toThrow("give 'builtin' (or 'builtin:code-tests', 'builtin:bash'");
  });
});
