// Tools the run adds by itself: bash for rows scored by bash, read_file for rows with attached files.
// Each is offered only to the tasks that need it, unless --enable-tools names it (or its group).
import { describe, expect, it } from 'vitest';
import { impliedTools, markImpliedTools, toolsForTask } from '../../src/eval/executed-tasks.js';
import { setTaskAttachments } from '../../src/tasks/attachments.js';
import { taskRowSchema, type Task } from '../../src/tasks/schema.js';
import { resolveTools } from '../../src/tools/registry.js';

const row = (id: string, extra: Record<string, unknown> = {}): Task => taskRowSchema.parse({ id, prompt: `Task ${id}`, difficulty: 'easy', ...extra });
const bashTask = row('b', { scorer: 'bash', fixture: { 'a.txt': 'x' }, reference_command: 'ls' });
const plainTask = row('p', { expected_keywords: ['x'] });
const attachedTask = row('g', { scorer: 'exact', expected_answer: '3' });
setTaskAttachments(attachedTask, [{ name: 'attachments/g/f.txt', source: '/nowhere/f.txt' }]);

function runTools(tasks: Task[], enableTools: string[] = [], scorers?: string[]) {
  return markImpliedTools(resolveTools({ enableTools: [...enableTools, ...impliedTools(tasks, scorers)] }), enableTools, scorers);
}
const names = (tools: readonly { name: string }[]) => tools.map((tool) => tool.name);

describe('implied tools', () => {
  it('offers bash only to the rows scored by bash in a mixed file', () => {
    const tools = runTools([bashTask, plainTask]);
    expect(names(tools)).toContain('bash');
    expect(names(toolsForTask(tools, bashTask))).toContain('bash');
    expect(names(toolsForTask(tools, plainTask))).not.toContain('bash');
  });

  it('offers bash to every task when --enable-tools names it (opt-in), each with its own fixture', async () => {
    const tools = runTools([bashTask, plainTask], ['bash']);
    const forPlain = toolsForTask(tools, plainTask).find((tool) => tool.name === 'bash');
    const forBash = toolsForTask(tools, bashTask).find((tool) => tool.name === 'bash');
    expect(forPlain).toBeDefined();
    expect(forBash).toBeDefined();
    expect(forPlain).not.toBe(forBash);
  });

  it('offers bash to every task when --scorer bash scores the whole run', () => {
    const tools = runTools([bashTask, plainTask], [], ['bash']);
    expect(names(toolsForTask(tools, plainTask))).toContain('bash');
  });

  it('offers read_file only to tasks with attached files, unless enabled (also by its group)', () => {
    const tools = runTools([attachedTask, plainTask]);
    expect(names(toolsForTask(tools, attachedTask))).toContain('read_file');
    expect(names(toolsForTask(tools, plainTask))).not.toContain('read_file');
    for (const enabled of [['read_file'], ['files'], ['write_file,read_file']]) {
      expect(names(toolsForTask(runTools([attachedTask, plainTask], enabled), plainTask))).toContain('read_file');
    }
  });

  it('adds nothing when no task needs it', () => {
    expect(impliedTools([plainTask], undefined)).toEqual([]);
    const tools = runTools([plainTask]);
    expect(toolsForTask(tools, plainTask)).toEqual(tools);
  });
});
