import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AgentRun, Step } from '../../src/agents/types.js';
import { bashScorer, compareOutputs, lastBashCommand } from '../../src/scoring/bash.js';
import type { ScoreContext } from '../../src/scoring/types.js';
import { taskRowSchema } from '../../src/tasks/schema.js';

const FIXTURE = { 'data/b.txt': 'pear\napple\n', 'data/a.txt': 'fig  \nkiwi\n', 'readme.md': '# hi\n' };

function bashCall(command: unknown, index: number): Step {
  return { type: 'tool-call', index, call: { id: `c${index}`, name: 'bash', arguments: { command } }, output: '', isError: false, startedAtMs: 0, durationMs: 1, source: 'native' };
}

function runWith(steps: Step[]): AgentRun {
  return { agentType: 'tool', steps, messages: [], usage: { inputTokens: 0, outputTokens: 0 }, modelCalls: 1, actionSteps: 1, stopReason: 'final-answer', finalAnswer: 'done' };
}

function task(row: Record<string, unknown>) {
  return taskRowSchema.parse({ id: 't', prompt: 'p', difficulty: 'easy', scorer: 'bash', fixture: FIXTURE, ...row });
}

const context: ScoreContext = { signal: new AbortController().signal, workingDirectory: process.cwd() };

async function score(row: Record<string, unknown>, ...commands: unknown[]) {
  return bashScorer.score({ task: task(row), agentType: 'tool', finalAnswer: 'done', run: runWith(commands.map(bashCall)), toolsUsed: commands.map(() => 'bash') }, context);
}

describe('bash scorer', () => {
  it('scores the last bash command with a command, not the earlier ones', async () => {
    const run = runWith([bashCall('ls', 1), { type: 'tool-call', index: 2, call: { id: 'w', name: 'web_search', arguments: { query: 'x' } }, output: '', isError: false, startedAtMs: 0, durationMs: 1, source: 'native' }, bashCall('cat data/a.txt', 3), bashCall(42, 4)]);
    expect(lastBashCommand(run)).toBe('cat data/a.txt');
    expect(lastBashCommand(runWith([]))).toBeUndefined();
  });

  it('passes an equivalent command byte for byte and fails a different one', async () => {
    const passed = await score({ reference_command: 'cat data/*.txt | sort' }, 'ls', 'sort data/a.txt data/b.txt');
    expect(passed).toMatchObject({ value: 1, passed: true });
    const failed = await score({ reference_command: 'cat data/*.txt | sort' }, 'sort -r data/a.txt data/b.txt');
    expect(failed).toMatchObject({ value: 0, passed: false });
    expect(failed.explanation).toContain('differ at byte 0');
    expect(failed.error).toBeUndefined();
  });

  it('compares lines without trailing whitespace, or as a set of lines in any order', async () => {
    expect(await score({ reference_command: 'cat data/a.txt', bash_compare: 'exact' }, "sed 's/ *$//' data/a.txt")).toMatchObject({ passed: false });
    expect(await score({ reference_command: 'cat data/a.txt', bash_compare: 'lines' }, "sed 's/ *$//' data/a.txt")).toMatchObject({ passed: true });
    expect(await score({ reference_command: 'cat data/b.txt', bash_compare: 'Lines' }, 'sort data/b.txt')).toMatchObject({ passed: false });
    expect(await score({ reference_command: 'cat data/b.txt', bash_compare: 'set' }, 'sort data/b.txt')).toMatchObject({ passed: true });
    expect(compareOutputs('a\nb\n', 'b\na\na\n', 'set')).toEqual({ same: false, difference: '1 unexpected line(s) (first "a")' });
    expect(compareOutputs('a\nb\n', 'a\n', 'lines')).toEqual({ same: false, difference: 'line 2: expected "b", got no line (2 lines expected, 1 printed)' });
  });

  it('runs the final command on a fresh fixture: files the agent changed earlier do not count', async () => {
    // The agent's earlier call deleted a file in its own shell; scoring starts again from the fixture.
    expect(await score({ reference_command: 'ls data' }, 'rm data/a.txt', 'ls data')).toMatchObject({ passed: true });
  });

  it('fails a task without a bash call, and is a scorer error when the reference command fails', async () => {
    expect(await score({ reference_command: 'ls' })).toMatchObject({ passed: false, explanation: 'the agent made no bash call, so there is no command to score' });
    const broken = await score({ reference_command: 'cat missing.txt' }, 'ls');
    expect(broken.error).toMatch(/reference command failed on the fixture \(it exited with status 1/);
    expect(bashScorer.check?.(task({}))).toBe('the bash scorer needs reference_command (and usually a fixture)');
    expect(bashScorer.check?.(task({ reference_command: 'ls' }))).toBeUndefined();
  });

  it('gives the agent no host through its final command', async () => {
    const marker = join(tmpdir(), `agent-eval-bash-scorer-${process.pid}`);
    for (const command of ['cat /etc/passwd', `cat ${join(process.cwd(), 'package.json')}`, `echo owned > ${marker}; cat ${marker} > /dev/null`, 'node -e "console.log(1)"', 'curl -s http://127.0.0.1:9/', 'env | grep -c PATH=/usr/local']) {
      const verdict = await score({ reference_command: 'echo safe' }, command);
      expect(verdict.passed, command).toBe(false);
      expect(verdict.explanation, command).not.toMatch(/root:|"name": "agent-eval"/);
    }
    expect(existsSync(marker)).toBe(false);
  });

  it('validates fixtures and compare modes at the row', () => {
    expect(taskRowSchema.safeParse({ id: 't', prompt: 'p', difficulty: 'easy', fixture: { '../x': 'y' } }).success).toBe(false);
    expect(taskRowSchema.safeParse({ id: 't', prompt: 'p', difficulty: 'easy', fixture: { '/etc/x': 'y' } }).success).toBe(false);
    expect(taskRowSchema.safeParse({ id: 't', prompt: 'p', difficulty: 'easy', fixture: { a: 1 } }).success).toBe(false);
    expect(taskRowSchema.safeParse({ id: 't', prompt: 'p', difficulty: 'easy', bash_compare: 'fuzzy' }).success).toBe(false);
    expect(task({}).bash_compare).toBe('exact');
  });
});
