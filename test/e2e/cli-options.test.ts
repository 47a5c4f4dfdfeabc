// Flag errors name the command they belong to, and --difficulty takes any case.
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('flag errors point to the right help', () => {
  it.each([
    ['run', ['run', '--no-such-flag']],
    ['push', ['push', 'some-run-dir', '--no-such-flag']],
    ['cleanup', ['cleanup', '--no-such-flag']],
    ['copy-datasets', ['copy-datasets', '--no-such-flag']],
  ])('%s', async (command, args) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([`agent-eval: unknown option '--no-such-flag'`, `(run agent-eval ${command} --help for the flags)`]);
    expect(result.stdout).toBe('');
  });

  it('an unknown command points to the list of commands', async () => {
    const result = await runCli(['runn']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('(run agent-eval --help for the commands)');
  });
});

describe('--difficulty', () => {
  it('refuses an unknown level in one line, whatever its case', async () => {
    const result = await runCli(['run', '--model', 'openai/test-model', '--difficulty', 'Extreme'], { env: { OPENAI_API_KEY: 'sk-test' } });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('agent-eval: --difficulty: choose easy, medium or hard');
  });
});
