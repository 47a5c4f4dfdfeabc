import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const DIALOGUE = { id: 'hotel', prompt: 'Work out my hotel stay.', difficulty: 'easy', agent_type: 'tool', expected_tool_calls: 0, user: { goal: 'The total of your stay.' } };
const dead = 'http://127.0.0.1:9/v1';

/** Runs the built CLI on one row; the run must be refused with exit 2, one line, and nothing written. */
async function refused(row: object, flags: string[]): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'agent-eval-refusal-'));
  const file = join(folder, 'tasks.jsonl');
  await writeFile(file, JSON.stringify(row));
  const result = await runCli(['run', '--model', 'm', '--base-url', dead, '--dataset-name', file, '--output-dir', join(folder, 'out'), ...flags]);
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  await expect(readdir(join(folder, 'out'))).rejects.toThrow();
  return result.stderr.trim();
}

describe('refusals of the agent and simulated-user flags (built CLI)', () => {
  it('--user-args names itself in its errors (values and shape)', async () => {
    expect(await refused(DIALOGUE, ['--user-model', 'u', '--user-base-url', dead, '--user-args', 'temperature=-1'])).toMatch(/^agent-eval: --user-args temperature=-1: /);
    expect(await refused(DIALOGUE, ['--user-model', 'u', '--user-base-url', dead, '--user-args', 'temperature'])).toBe('agent-eval: --user-args temperature: expected KEY=VALUE');
  });

  it('--judge-args names itself in its errors', async () => {
    expect(await refused(DIALOGUE, ['--user-model', 'u', '--user-base-url', dead, '--scorer', 'goal_met', '--judge-model', 'j', '--judge-base-url', dead, '--judge-args', 'top_p=3'])).toMatch(/^agent-eval: --judge-args top_p=3: /);
  });

  it('--user-base-url and --user-args need --user-model; --user-base-url must be http(s)', async () => {
    expect(await refused({ ...DIALOGUE, user: undefined }, ['--user-base-url', dead])).toBe('agent-eval: --user-base-url: only with --user-model');
    expect(await refused({ ...DIALOGUE, user: undefined }, ['--user-args', 'temperature=0'])).toBe('agent-eval: --user-args: only with --user-model');
    expect(await refused(DIALOGUE, ['--user-model', 'u', '--user-base-url', 'ftp://127.0.0.1/v1'])).toBe('agent-eval: --user-base-url: must be an http(s) URL');
  });

  it('--agent-env: only with --agent-command, a valid name, a variable that is set', async () => {
    expect(await refused({ ...DIALOGUE, user: undefined }, ['--agent-env', 'FOO=bar'])).toBe('agent-eval: --agent-env: only with --agent-command');
    expect(await refused({ ...DIALOGUE, user: undefined }, ['--agent-command', 'true', '--agent-env', '1BAD=x'])).toBe('agent-eval: --agent-env 1BAD=x: give NAME=value or NAME');
    expect(await refused({ ...DIALOGUE, user: undefined }, ['--agent-command', 'true', '--agent-env', 'AGENT_EVAL_SURELY_UNSET'])).toBe('agent-eval: --agent-env AGENT_EVAL_SURELY_UNSET: AGENT_EVAL_SURELY_UNSET is not set in this environment');
  });

  it('a dialogue for the code agent alone is refused, naming the task', async () => {
    expect(await refused({ ...DIALOGUE, agent_type: 'code' }, ['--agent-type', 'code', '--user-model', 'u', '--user-base-url', dead])).toBe(
      'agent-eval: task hotel is a dialogue (it has a user block): only the tool agent holds dialogues, not the code agent; run it with --agent-type tool',
    );
  });
});
