// GAIA from the (loopback) Hub layout: --dataset-config picks the card's configuration, attachments
// land in the task's own folder (attachments/<task id>/) under the working directory, are named in the
// prompt and read with read_file, offered by itself to those tasks only; the gaia scorer applies by
// itself, a gated dataset without access is one line, and --export-gaia-submission writes the
// leaderboard's JSONL (checked before the run; the test split's hidden answers are unscored, never
// passed). Then any local dataset through --column-map and --task-config.
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startHubServer, type HubServer } from '../helpers/hub-server.js';
import { finalAnswer, messageText, startOpenAIServer, toolCall, type LoopbackOpenAIServer, type RecordedRequest } from '../helpers/openai-server.js';

const TOKEN = 'hf_alice';
const OTHER = 'hf_bob';
const README = `---
configs:
- config_name: 2023_level1
  data_files:
  - split: validation
    path: "2023/validation/metadata.level1.jsonl"
  - split: test
    path: "2023/test/metadata.level1.jsonl"
- config_name: 2023_level2
  data_files:
  - split: validation
    path: "2023/validation/metadata.level2.jsonl"
---
# GAIA-shaped test data (written for this test)
`;
const LEVEL1 = [
  { task_id: 'g-multiply', Question: 'What is 6 times 7?', Level: 1, 'Final answer': '42', file_name: '', 'Annotator Metadata': { Steps: 'multiply' } },
  { task_id: 'g-lines', Question: 'How many lines does the attached file have?', Level: 1, 'Final answer': '3', file_name: 'g-lines.txt', 'Annotator Metadata': {} },
  { task_id: 'g-list', Question: 'Name the first two letters, in order.', Level: 1, 'Final answer': 'a, b', file_name: '', 'Annotator Metadata': {} },
];
// The test split hides its answers as "?".
const TEST1 = [
  { task_id: 't-multiply', Question: 'What is 6 times 7?', Level: 1, 'Final answer': '?', file_name: '' },
  { task_id: 't-lines', Question: 'How many lines does the attached file have?', Level: 1, 'Final answer': '?', file_name: 't-lines.txt' },
];
const LEVEL2 = [{ task_id: 'g-hard', Question: 'A level 2 question', Level: 2, 'Final answer': 'x', file_name: '' }];
const jsonl = (rows: object[]) => rows.map((row) => JSON.stringify(row)).join('\n');

let hub: HubServer;
let model: LoopbackOpenAIServer;
let work: string;
/** Called before each model answer (a test that removes a folder mid-run). */
let beforeAnswer: (() => void) | undefined;
beforeAll(async () => {
  hub = await startHubServer({ users: { [TOKEN]: 'alice', [OTHER]: 'bob' } });
  hub.seedDataset('gaia-benchmark/GAIA', {
    'README.md': README,
    '2023/validation/metadata.level1.jsonl': jsonl(LEVEL1),
    '2023/validation/metadata.level2.jsonl': jsonl(LEVEL2),
    '2023/validation/g-lines.txt': 'one\ntwo\nthree\n',
    '2023/test/metadata.level1.jsonl': jsonl(TEST1),
    '2023/test/t-lines.txt': 'x\ny\n',
  }, { gated: 'manual' });
  hub.repos.get('gaia-benchmark/GAIA')!.gatedAccess.add('alice');
  model = await startOpenAIServer({
    responder: (request: RecordedRequest) => {
      const messages = request.body.messages as { role: string; content: unknown }[];
      const prompt = messageText(messages.find((message) => message.role === 'user')!.content);
      const turn = messages.filter((message) => message.role === 'assistant').length;
      beforeAnswer?.();
      if (prompt.includes('6 times 7')) return finalAnswer('42');
      if (prompt.includes('first two letters')) return finalAnswer('b, a');
      if (prompt.includes('attached file')) return turn === 0 ? toolCall('read_file', { file_path: /Attached file: (\S+)/.exec(prompt)![1]! }) : finalAnswer('3');
      return finalAnswer('no idea');
    },
  });
  work = await mkdtemp(join(tmpdir(), 'agent-eval-e2e-gaia-'));
});
afterAll(async () => {
  await hub.close();
  await model.close();
});

const env = (token = TOKEN) => ({ HF_ENDPOINT: hub.url, HF_TOKEN: token, HF_HOME: join(work, 'hf-home'), OPENAI_API_KEY: 'sk-test' });
const args = (output: string, workingDirectory: string, ...extra: string[]) => [
  'run', '--model', 'openai/gpt-4o-mini', '--base-url', `${model.url}/v1`, '--agent-type', 'tool', '--output-dir', output,
  '--working-directory', workingDirectory, '--quiet', ...extra,
];

describe('agent-eval run on a GAIA-shaped Hub dataset', () => {
  it('loads the configuration, places attachments, scores with gaia and writes the submission file', async () => {
    const output = join(work, 'out');
    const folder = await mkdtemp(join(work, 'wd-'));
    const submission = join(work, 'submission.jsonl');
    const result = await runCli(
      args(output, folder, '--dataset-name', 'gaia-benchmark/GAIA', '--dataset-config', '2023_level1', '--split', 'validation', '--export-gaia-submission', submission),
      { env: env() },
    );
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(0);
    const [name] = await readdir(output);
    const rows = JSON.parse(await readFile(join(output, name!, 'results.json'), 'utf8')) as Record<string, unknown>[];
    const byId = Object.fromEntries(rows.map((row) => [row.task_id, row]));
    expect(Object.keys(byId).sort()).toEqual(['g-lines', 'g-list', 'g-multiply']);
    expect(byId['g-multiply']).toMatchObject({ success: true, difficulty: 'easy', scores: { gaia: { passed: true, value: 1 } } });
    expect(byId['g-lines']).toMatchObject({ success: true, tools_used: ['read_file'] });
    expect(byId['g-lines']!.prompt).toBe('How many lines does the attached file have?\n\nAttached file: attachments/g-lines/g-lines.txt (a path relative to your working directory).');
    expect((byId['g-lines']!.tool_calls as { output: string }[])[0]!.output).toContain('three');
    // Each task's files in its own folder, kept after the run; nothing else in the working directory.
    expect(await readdir(folder)).toEqual(['attachments']);
    expect(await readdir(join(folder, 'attachments'))).toEqual(['g-lines']);
    expect(await readFile(join(folder, 'attachments', 'g-lines', 'g-lines.txt'), 'utf8')).toBe('one\ntwo\nthree\n');
    // read_file is offered by itself, and only to the task with an attachment.
    const offered = (prompt: string) => {
      const request = model.requests.find((recorded) => JSON.stringify(recorded.body.messages).includes(prompt))!;
      return (request.body.tools as { function: { name: string } }[]).map((tool) => tool.function.name);
    };
    expect(offered('attached file have?')).toContain('read_file');
    expect(offered('6 times 7')).not.toContain('read_file');
    expect(byId['g-list']).toMatchObject({ success: false, failure_reason: 'wrong_answer', scores: { gaia: { passed: false } } });
    const lines = (await readFile(submission, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, string>);
    expect(lines.map((line) => line.task_id).sort()).toEqual(['g-lines', 'g-list', 'g-multiply']);
    expect(lines.find((line) => line.task_id === 'g-list')).toMatchObject({ model_answer: 'b, a' });
    expect(lines.find((line) => line.task_id === 'g-lines')!.reasoning_trace).toContain('read_file({"file_path":"attachments/g-lines/g-lines.txt"})');
    expect(result.stdout).toContain(`[GAIA] 3 answer(s) written to ${submission}`);
  });

  it("runs the test split (hidden answers: unscored, never passed) and writes a submission", async () => {
    const output = join(work, 'out-test');
    const folder = await mkdtemp(join(work, 'wd-'));
    const submission = join(work, 'test-submission.jsonl');
    const result = await runCli(
      ['run', '--model', 'openai/gpt-4o-mini', '--base-url', `${model.url}/v1`, '--agent-type', 'tool', '--output-dir', output, '--working-directory', folder,
        '--dataset-name', 'gaia-benchmark/GAIA', '--dataset-config', '2023_level1', '--split', 'test', '--export-gaia-submission', submission],
      { env: env() },
    );
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/2 task\(s\) have no expected answer \(t-multiply, t-lines\): the gaia scorer leaves them unscored, never passed/);
    expect(result.stdout).toContain('Scorers: gaia 0/0 (-; 2 not scored)');
    const [name] = await readdir(output);
    const rows = JSON.parse(await readFile(join(output, name!, 'results.json'), 'utf8')) as Record<string, unknown>[];
    for (const row of rows) {
      expect(row).toMatchObject({ success: false, failure_reason: 'scorer_error', scores: { gaia: { passed: false, value: 0, error: 'no expected answer' } } });
    }
    const lines = (await readFile(submission, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, string>);
    expect(lines.map((line) => [line.task_id, line.model_answer]).sort()).toEqual([['t-lines', '3'], ['t-multiply', '42']]);
  });

  it('checks --export-gaia-submission before the run, and says a late write error in one line', async () => {
    const folder = await mkdtemp(join(work, 'wd-'));
    const output = join(work, 'out-missing');
    const missing = await runCli(args(output, folder, '--dataset-name', 'gaia-benchmark/GAIA', '--dataset-config', '2023_level1', '--split', 'validation', '--export-gaia-submission', join(work, 'no-such-folder', 's.jsonl')), { env: env() });
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe(`agent-eval: --export-gaia-submission ${join(work, 'no-such-folder', 's.jsonl')}: the folder ${join(work, 'no-such-folder')} does not exist`);
    await expect(readdir(output)).rejects.toThrow();
    expect(model.requests.length).toBeGreaterThan(0);
    const before = model.requests.length;
    const aFolder = await mkdtemp(join(work, 'wd-'));
    const isDirectory = await runCli(args(output, folder, '--dataset-name', 'gaia-benchmark/GAIA', '--dataset-config', '2023_level1', '--split', 'validation', '--export-gaia-submission', aFolder), { env: env() });
    expect(isDirectory.code).toBe(2);
    expect(isDirectory.stderr.trim()).toBe(`agent-eval: --export-gaia-submission ${aFolder}: is a directory; give a file name`);
    expect(model.requests.length).toBe(before);

    // The folder disappears while the run goes on: the results are kept, the error is one line.
    const vanishing = join(work, 'vanishing');
    await mkdir(vanishing);
    beforeAnswer = () => rmSync(vanishing, { recursive: true, force: true });
    try {
      const late = await runCli(args(output, folder, '--dataset-name', 'gaia-benchmark/GAIA', '--dataset-config', '2023_level1', '--split', 'validation', '--export-gaia-submission', join(vanishing, 's.jsonl')), { env: env() });
      expect(late.code).toBe(1);
      expect(late.stderr).not.toMatch(/unexpected error/);
      const [name] = await readdir(output);
      expect(late.stderr.trim().split('\n').at(-1)).toMatch(new RegExp(`^agent-eval: --export-gaia-submission: cannot write ${join(vanishing, 's.jsonl')} \\(.+\\); the run's results are kept in ${join(output, name!)}$`));
      expect(JSON.parse(await readFile(join(output, name!, 'results.json'), 'utf8'))).toHaveLength(3);
    } finally {
      beforeAnswer = undefined;
    }
  });

  it('names a missing configuration and a gated dataset without access in one line each', async () => {
    const folder = await mkdtemp(join(work, 'wd-'));
    const missing = await runCli(args(join(work, 'x'), folder, '--dataset-name', 'gaia-benchmark/GAIA', '--dataset-config', '2023_level9', '--split', 'validation'), { env: env() });
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toMatch(/^agent-eval: --dataset-config 2023_level9: gaia-benchmark\/GAIA@\w{7} has no such configuration \(configurations: 2023_level1, 2023_level2\)$/);
    const gated = await runCli(args(join(work, 'y'), folder, '--dataset-name', 'gaia-benchmark/GAIA', '--dataset-config', '2023_level1', '--split', 'validation'), { env: { ...env(OTHER), HF_HOME: join(work, 'bob-home') } });
    expect(gated.code).toBe(2);
    expect(gated.stderr.trim().split('\n')).toHaveLength(1);
    expect(gated.stderr).toMatch(/gated/);
  });
});

describe('agent-eval run --column-map / --task-config on any dataset', () => {
  it('maps columns to task fields and takes defaults from the task config', async () => {
    const folder = await mkdtemp(join(work, 'mapped-'));
    const file = join(folder, 'qa.jsonl');
    await writeFile(file, jsonl([{ qid: 'q1', question: 'What is 6 times 7?', answer: '42' }, { qid: 'q2', question: 'Name the first two letters, in order.', answer: 'a, b' }]));
    const config = join(folder, 'task-config.yaml');
    await writeFile(config, 'columns:\n  prompt: question\n  expected_answer: answer\ndefaults:\n  difficulty: medium\n  scorer: exact\n');
    const output = join(folder, 'out');
    const result = await runCli(args(output, folder, '--dataset-name', file, '--task-config', config, '--column-map', 'id=qid'), { env: env() });
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(0);
    const [name] = await readdir(output);
    const rows = JSON.parse(await readFile(join(output, name!, 'results.json'), 'utf8')) as Record<string, unknown>[];
    expect(rows.map((row) => [row.task_id, row.difficulty, row.success])).toEqual([['q1', 'medium', true], ['q2', 'medium', false]]);
    expect(rows[1]).toMatchObject({ scores: { exact: { passed: false } }, failure_reason: 'wrong_answer' });

    const unmapped = await runCli(args(join(folder, 'out2'), folder, '--dataset-name', file, '--column-map', 'prompt=question'), { env: env() });
    expect(unmapped.code).toBe(2);
    expect(unmapped.stderr.trim()).toBe(
      "agent-eval: --column-map: task field(s) 'id', 'difficulty' not mapped and " + `${file} has no such column (its columns: qid, question, answer); map them with --column-map id=COLUMN or set defaults: in --task-config`,
    );
    const wrong = await runCli(args(join(folder, 'out3'), folder, '--dataset-name', file, '--column-map', 'prompt=query'), { env: env() });
    expect(wrong.stderr.trim()).toBe(`agent-eval: --column-map: prompt=query: ${file} has no column 'query' (its columns: qid, question, answer)`);
  });
});
