// `agent-eval failures` through the built CLI on a run with known failure groups: the clusters, the
// task dataset (loadable as tasks), names and harder variants from a loopback judge model, and the
// push to a private dataset of the loopback Hub with a card.
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTasks } from '../../src/tasks/load.js';
import { runCli } from '../helpers/cli.js';
import { startHubServer, type HubServer } from '../helpers/hub-server.js';
import { messageText, startOpenAIServer, type LoopbackOpenAIServer } from '../helpers/openai-server.js';

const TOKEN = 'hf_alice';
let work: string;
let run: string;
let hub: HubServer;
let judge: LoopbackOpenAIServer;

function row(id: string, category: string, success: boolean, extra: Record<string, unknown> = {}) {
  return { model: 'openai/gpt-4o-mini', task_id: id, test_case_uid: `tool:${id}`, agent_type: 'tool', difficulty: 'easy', prompt: `Task ${id}?`, success, category, expected_tool: 'get_rate', tools_used: ['get_rate'], steps: 2, response: success ? 'done' : 'sorry', error: null, failure_reason: success ? null : 'tool_error', failure_detail: null, tool_calls: [], messages: [], ...extra };
}

const toolFailure = (output: string) => ({ tool_calls: [{ step: 1, name: 'get_rate', arguments: {}, output, is_error: true, duration_ms: 1 }] });

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'agent-eval-failures-'));
  run = join(work, 'run');
  await mkdir(run);
  const rows = [
    row('fx_1', 'finance', false, toolFailure('rate service unavailable: HTTP 503')),
    row('fx_2', 'finance', false, toolFailure('invalid currency code XYZ')),
    row('fx_3', 'finance', false, toolFailure('rate service unavailable: HTTP 503 again')),
    row('fx_4', 'finance', true),
    row('fx_5', 'finance', false, toolFailure('invalid currency code ABC')),
    row('math_1', 'math', false, { failure_reason: 'missing_keyword', failure_detail: 'expected the keyword "42" in the answer, got "41"', expected_tool: 'calculator', expected_keywords: ['42'] }),
  ];
  await writeFile(join(run, 'results.json'), JSON.stringify(rows, null, 2));
  await writeFile(join(run, 'metadata.json'), JSON.stringify({ model: 'openai/gpt-4o-mini', agent_type: 'tool', run_id: 'run-1', dataset_used: 'nowhere.jsonl' }));
  hub = await startHubServer({ users: { [TOKEN]: 'alice' } });
  judge = await startOpenAIServer({
    responder: (request) => {
      const system = messageText(request.body.messages[0].content);
      const user = messageText(request.body.messages[1].content);
      if (system.includes('name clusters')) return { content: user.includes('503') ? 'Rate service outages' : user.includes('currency') ? 'Bad currency codes' : 'Wrong arithmetic' };
      return { content: `Here they are:\n[{"prompt": "Harder: ${user.includes('fx_') ? 'convert' : 'compute'} twice", "expected_keywords": ["x"]}]` };
    },
  });
}, 60_000);
afterAll(async () => {
  await hub?.close();
  await judge?.close();
});

describe('agent-eval failures (built CLI)', () => {
  it('groups by reason, tool and category, then by text, and writes a loadable task dataset', async () => {
    const output = join(work, 'failures.jsonl');
    const result = await runCli(['failures', run, '-o', output]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('[FAILURES] 5 failure(s) of 5 task(s) in 3 cluster(s)');
    expect(result.stdout).toMatch(/#1 tool_error \/ get_rate \/ finance: .* \(2\) e\.g\. fx_1, fx_3 \| models: openai\/gpt-4o-mini/);
    expect(result.stdout).toMatch(/#2 tool_error \/ get_rate \/ finance: .*(currency|invalid).* \(2\) e\.g\. fx_2, fx_5/);
    expect(result.stdout).toMatch(/#3 missing_keyword \/ calculator \/ math.* \(1\) e\.g\. math_1/);
    const rows = (await readFile(output, 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    expect(rows.map((entry) => [entry.id, entry.failure_cluster_id])).toEqual([['fx_1', 1], ['fx_2', 2], ['fx_3', 1], ['fx_5', 2], ['math_1', 3]]);
    expect(rows[4]).toMatchObject({ prompt: 'Task math_1?', expected_keywords: ['42'], category: 'math', failed_in: [{ run: 'run', model: 'openai/gpt-4o-mini' }] });
    expect(typeof rows[0].failure_cluster).toBe('string');
    const tasks = await loadTasks({ datasetName: output, split: 'train' });
    expect(tasks.map((task) => task.id)).toEqual(['fx_1', 'fx_2', 'fx_3', 'fx_5', 'math_1']);
  });

  it('lets a judge model name the clusters and write harder variants, and pushes a private dataset with a card', async () => {
    const output = join(work, 'named.jsonl');
    const env = { HF_ENDPOINT: hub.url, HF_TOKEN: TOKEN, HF_HOME: join(work, 'hf-home'), OPENAI_API_KEY: 'sk-judge' };
    const result = await runCli(['failures', run, '-o', output, '--judge-model', 'openai/judge-model', '--judge-base-url', `${judge.url}/v1`, '--variants', '1', '--push', 'alice/fx-failures'], { env });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/#1 Rate service outages \(2\)/);
    expect(result.stdout).toMatch(/#2 Bad currency codes \(2\)/);
    expect(result.stdout).toContain('5 generated variant(s)');
    const rows = (await readFile(output, 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    const variant = rows.find((entry) => entry.id === 'fx_1__variant_1');
    expect(variant).toMatchObject({ prompt: 'Harder: convert twice', generated: true, variant_of: 'fx_1', failure_cluster: 'Rate service outages', failure_cluster_id: 1, expected_keywords: ['x'] });
    expect(variant.failed_in).toBeUndefined();
    expect(hub.repos.get('alice/fx-failures')!.private).toBe(true);
    const card = new TextDecoder().decode(hub.readFile('alice/fx-failures', 'README.md'));
    expect(card).toContain(`Failed tasks collected by agent-eval failures from: ${run}`);
    expect(card).toContain('| 1 | Rate service outages | 2 |');
    expect(new TextDecoder().decode(hub.readFile('alice/fx-failures', 'data/named.jsonl'))).toContain('fx_1__variant_1');
  });

  it('refuses bad flags in one line (exit 2)', async () => {
    const variants = await runCli(['failures', run, '--variants', '2']);
    expect(variants.code).toBe(2);
    expect(variants.stderr.trim()).toBe('agent-eval: --variants: needs --judge-model (the model writes the variants)');
    const clusters = await runCli(['failures', run, '--clusters', 'many']);
    expect(clusters.stderr.trim()).toBe('agent-eval: --clusters many: give auto or a whole number of at least 1');
    const text = await runCli(['failures', run, '-o', join(work, 'failures.txt')]);
    expect(text.code).toBe(2);
    expect(text.stderr.trim()).toBe(`agent-eval: -o ${join(work, 'failures.txt')}: give a .jsonl or .json file (what agent-eval run --dataset-name loads)`);
    await expect(readFile(join(work, 'failures.txt'))).rejects.toThrow();
  });

  it('refuses to overwrite an existing -o unless --force; a .json file is one array the task loader reads', async () => {
    const output = join(work, 'kept.jsonl');
    await writeFile(output, 'mine\n');
    const refused = await runCli(['failures', run, '-o', output]);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toBe(`agent-eval: -o ${output}: already exists (use --force to replace it)`);
    expect(await readFile(output, 'utf8')).toBe('mine\n');
    const forced = await runCli(['failures', run, '-o', output, '--force']);
    expect(forced.code).toBe(0);
    expect((await readFile(output, 'utf8')).trim().split('\n')).toHaveLength(5);
    const array = join(work, 'failures.json');
    expect((await runCli(['failures', run, '-o', array])).code).toBe(0);
    expect(JSON.parse(await readFile(array, 'utf8'))).toHaveLength(5);
    expect((await loadTasks({ datasetName: array, split: 'train' })).map((task) => task.id)).toEqual(['fx_1', 'fx_2', 'fx_3', 'fx_5', 'math_1']);
  });

  it('collects failures over several runs: one row per task with every run and model it failed in', async () => {
    const other = join(work, 'other-run');
    await mkdir(other);
    const rows = [
      { ...row('fx_1', 'finance', false, toolFailure('rate service unavailable: HTTP 503')), model: 'openai/gpt-4o' },
      { ...row('fx_2', 'finance', true), model: 'openai/gpt-4o' },
      { ...row('fx_9', 'finance', false, toolFailure('invalid currency code QQQ')), model: 'openai/gpt-4o' },
    ];
    await writeFile(join(other, 'results.json'), JSON.stringify(rows));
    await writeFile(join(other, 'metadata.json'), JSON.stringify({ model: 'openai/gpt-4o', agent_type: 'tool', run_id: 'run-2' }));
    const output = join(work, 'several.jsonl');
    const result = await runCli(['failures', run, other, '-o', output]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('[FAILURES] 7 failure(s) of 6 task(s)');
    const written = (await readFile(output, 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    const failedIn = Object.fromEntries(written.map((entry) => [entry.id, entry.failed_in]));
    expect(failedIn.fx_1).toEqual([{ run: 'run', model: 'openai/gpt-4o-mini' }, { run: 'other-run', model: 'openai/gpt-4o' }]);
    expect(failedIn.fx_2).toEqual([{ run: 'run', model: 'openai/gpt-4o-mini' }]);
    expect(failedIn.fx_9).toEqual([{ run: 'other-run', model: 'openai/gpt-4o' }]);
    expect(result.stdout).toMatch(/models: openai\/gpt-4o-mini, openai\/gpt-4o/);
  });
});
