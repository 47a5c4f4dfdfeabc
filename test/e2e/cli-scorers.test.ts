// The built CLI with scorers beyond SMOLTRACE's rule: smoltrace and an LLM judge on the same tasks
// (judge on the loopback OpenAI server, its tokens apart, agreement printed), --scorer exact with
// --repeats (pass@k in the leaderboard row, a resume that runs only the missing rollouts), and the
// one-line refusals (a judge that is the evaluated model, an unknown scorer).
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { finalAnswer, messageText, startOpenAIServer, type LoopbackOpenAIServer, type RecordedRequest, type ScriptedReply } from '../helpers/openai-server.js';

let server: LoopbackOpenAIServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface Row {
  task_id: string;
  success: boolean;
  repeat: number | null;
  failure_reason: string | null;
  scores: Record<string, { value: number; passed: boolean; explanation: string }>;
  total_tokens: number;
  input_tokens: number;
  judge_input_tokens: number | null;
  judge_output_tokens: number | null;
  judge_cost_usd: number | null;
}

const CAPITALS = [
  { id: 'france', prompt: 'Capital of France?', keyword: 'Paris', answer: 'Paris', grade: 5 },
  { id: 'italy', prompt: 'Capital of Italy?', keyword: 'Rome', answer: 'Rome, I think', grade: 2 },
  { id: 'spain', prompt: 'Capital of Spain?', keyword: 'Madrid', answer: 'Barcelona', grade: 1 },
];

async function dataset(rows: object[]): Promise<{ file: string; output: string }> {
  const folder = await mkdtemp(join(tmpdir(), 'agent-eval-scorers-'));
  const file = join(folder, 'tasks.jsonl');
  await writeFile(file, rows.map((row) => JSON.stringify(row)).join('\n'));
  return { file, output: join(folder, 'out') };
}

function firstUser(request: RecordedRequest): string {
  const user = (request.body.messages as { role: string; content: unknown }[]).find((message) => message.role === 'user');
  return user ? messageText(user.content) : '';
}

async function runDirectory(output: string): Promise<string> {
  const [name] = await readdir(output);
  return join(output, name!);
}

async function readRun(directory: string) {
  const rows = JSON.parse(await readFile(join(directory, 'results.json'), 'utf8')) as Row[];
  const leaderboard = JSON.parse(await readFile(join(directory, 'leaderboard_row.json'), 'utf8')) as Record<string, unknown>;
  return { rows, leaderboard };
}

const base = (url: string, output: string, file: string) => ['run', '--model', 'openai/gpt-4o-mini', '--base-url', `${url}/v1`, '--agent-type', 'tool', '--dataset-name', file, '--output-dir', output, '--quiet'];

describe('agent-eval run with smoltrace and judge scorers', () => {
  it('keeps both scores, success from the first, judge tokens apart, and prints their agreement', async () => {
    const { file, output } = await dataset(CAPITALS.map((task) => ({ id: task.id, prompt: task.prompt, difficulty: 'easy', expected_keywords: [task.keyword], expected_tool_calls: 0, scorers: ['smoltrace', 'judge'] })));
    server = await startOpenAIServer({
      responder: (request): ScriptedReply => {
        const capital = CAPITALS.find((task) => firstUser(request).includes(task.prompt))!;
        if (request.body.model === 'judge-model') return { content: JSON.stringify({ reasoning: `graded ${capital.id}`, grade: capital.grade }), usage: { prompt_tokens: 300, completion_tokens: 30 } };
        return { ...finalAnswer(capital.answer), usage: { prompt_tokens: 50, completion_tokens: 5 } };
      },
    });
    const result = await runCli([...base(server.url, output, file), '--judge-model', 'openai/judge-model', '--judge-base-url', `${server.url}/v1`, '--enable-otel'], { env: { OPENAI_API_KEY: 'sk-test' } });
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(0);
    const directory = await runDirectory(output);
    const { rows, leaderboard } = await readRun(directory);
    const byId = Object.fromEntries(rows.map((row) => [row.task_id, row]));
    expect(byId.france).toMatchObject({ success: true, scores: { smoltrace: { passed: true }, judge: { passed: true, value: 1 } }, judge_input_tokens: 300, judge_output_tokens: 30 });
    // success is smoltrace's (first) verdict; the judge disagrees.
    expect(byId.italy).toMatchObject({ success: true, failure_reason: null, scores: { smoltrace: { passed: true }, judge: { passed: false, value: 0.25 } } });
    expect(byId.spain).toMatchObject({ success: false, failure_reason: 'missing_keyword', scores: { smoltrace: { passed: false }, judge: { passed: false, value: 0 } } });
    expect(byId.italy!.scores.judge!.explanation).toMatch(/graded italy/);
    // The evaluated model's tokens leave the judge's out.
    for (const row of rows) expect(row).toMatchObject({ input_tokens: 50, total_tokens: 55 });
    expect(leaderboard).toMatchObject({ judge_total_tokens: 990, scorer_pass_rates: { smoltrace: 0.666667, judge: 0.333333 }, total_tokens: 165, repeats: null, pass_at_1: null });
    // gpt-4o-mini is priced; judge-model is not: its cost is unknown, not 0.
    expect(leaderboard.judge_cost_usd).toBeNull();
    expect(result.stdout).toContain('Scorers: smoltrace 2/3 (66.7%), judge 1/3 (33.3%)');
    expect(result.stdout).toContain("Cohen's kappa: 0.400");
    expect(result.stdout).toMatch(/smoltrace pass\s+1\s+1\n/);
    // Judge calls are spans of their own; each score an evaluation event.
    const traces = JSON.parse(await readFile(join(directory, 'traces.json'), 'utf8')) as { spans: { name: string; attributes: Record<string, unknown>; events: { name: string; attributes: Record<string, unknown> }[] }[] }[];
    const spans = traces.flatMap((trace) => trace.spans);
    const judgeSpans = spans.filter((span) => span.attributes['agent_eval.judge'] === true);
    expect(judgeSpans).toHaveLength(3);
    expect(judgeSpans[0]).toMatchObject({ name: 'chat judge-model', attributes: { 'gen_ai.usage.input_tokens': 300 } });
    const events = spans.flatMap((span) => span.events).filter((event) => event.name === 'gen_ai.evaluation.result');
    expect(events).toHaveLength(6);
    expect(events.map((event) => event.attributes['gen_ai.evaluation.name']).sort()).toEqual(['judge', 'judge', 'judge', 'smoltrace', 'smoltrace', 'smoltrace']);
  });

  it('refuses a judge that is the evaluated model, unknown scorers, and a judge scorer without a judge: exit 2, one line', async () => {
    const { file, output } = await dataset([{ id: 'a', prompt: 'Say hi', difficulty: 'easy', scorer: 'judge' }]);
    const url = 'http://127.0.0.1:9';
    const self = await runCli([...base(url, output, file), '--judge-model', 'openai/gpt-4o-mini', '--judge-base-url', `${url}/v1`], { env: { OPENAI_API_KEY: 'sk-test' } });
    expect(self.code).toBe(2);
    expect(self.stderr.trim()).toBe('agent-eval: --judge-model openai/gpt-4o-mini: the judge is the evaluated model; choose another judge, or allow it with --allow-self-judge');
    // The same endpoint and model name under another provider name (custom) is still the evaluated model.
    const renamed = await runCli([...base(url, output, file), '--judge-model', 'GPT-4o-mini', '--judge-base-url', `${url}/v1/`], { env: { OPENAI_API_KEY: 'sk-test' } });
    expect(renamed.code).toBe(2);
    expect(renamed.stderr.trim()).toBe('agent-eval: --judge-model GPT-4o-mini: the judge is the evaluated model; choose another judge, or allow it with --allow-self-judge');
    const missing = await runCli(base(url, output, file), { env: { OPENAI_API_KEY: 'sk-test' } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/the judge scorer needs a judge model: give --judge-model/);
    const unknown = await runCli([...base(url, output, file), '--scorer', 'exact,fuzzy'], { env: { OPENAI_API_KEY: 'sk-test' } });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toMatch(/^agent-eval: --scorer fuzzy: unknown scorer \(known: smoltrace, gaia, judge, /);
    const noAnswer = await runCli([...base(url, output, file), '--scorer', 'exact'], { env: { OPENAI_API_KEY: 'sk-test' } });
    expect(noAnswer.stderr.trim()).toBe('agent-eval: task a: the exact scorer needs expected_answer');
    await expect(readdir(output)).rejects.toThrow();
  });
});

describe('agent-eval run --allow-self-judge', () => {
  it('lets the evaluated model judge its own answers', async () => {
    server = await startOpenAIServer({
      responder: (request: RecordedRequest): ScriptedReply => {
        // The judge's request offers no tools; the agent's does.
        if (!request.body.tools) return { content: JSON.stringify({ reasoning: 'right', grade: 5 }) };
        return finalAnswer('Hello');
      },
    });
    const { file, output } = await dataset([{ id: 'a', prompt: 'Say hello', difficulty: 'easy', scorer: 'judge' }]);
    const result = await runCli([...base(server.url, output, file), '--judge-model', 'gpt-4o-mini', '--judge-base-url', `${server.url}/v1`, '--allow-self-judge'], { env: { OPENAI_API_KEY: 'sk-test' } });
    expect(result.stderr).not.toMatch(/unexpected error|the judge is the evaluated model/);
    expect(result.code).toBe(0);
    const { rows } = await readRun(await runDirectory(output));
    expect(rows[0]).toMatchObject({ success: true, scores: { judge: { passed: true, value: 1 } } });
  });
});

describe('agent-eval run --repeats', () => {
  it('runs each task K times, reports pass@k and pass^k, and a resume runs only the missing rollouts', async () => {
    const { file, output } = await dataset([
      { id: 'always', prompt: 'Always right', difficulty: 'easy', expected_answer: '42' },
      { id: 'sometimes', prompt: 'Sometimes right', difficulty: 'easy', expected_answer: '42' },
      { id: 'never', prompt: 'Never right', difficulty: 'easy', expected_answer: '42' },
    ]);
    let sometimes = 0;
    server = await startOpenAIServer({
      responder: (request) => {
        const prompt = firstUser(request);
        if (prompt.includes('Always')) return finalAnswer('42');
        if (prompt.includes('Never')) return finalAnswer('41');
        // One of three rollouts right.
        return finalAnswer(sometimes++ === 1 ? '42' : '0');
      },
    });
    const result = await runCli([...base(server.url, output, file), '--scorer', 'exact', '--repeats', '3', '--parallel-workers', '1'], { env: { OPENAI_API_KEY: 'sk-test' } });
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(0);
    const directory = await runDirectory(output);
    const { rows, leaderboard } = await readRun(directory);
    expect(rows).toHaveLength(9);
    expect(rows.map((row) => `${row.task_id}:${row.repeat}`)).toEqual(['always:0', 'always:1', 'always:2', 'sometimes:0', 'sometimes:1', 'sometimes:2', 'never:0', 'never:1', 'never:2']);
    expect(rows.filter((row) => row.task_id === 'sometimes').map((row) => row.success)).toEqual([false, true, false]);
    expect(rows.find((row) => row.task_id === 'never')).toMatchObject({ failure_reason: 'wrong_answer' });
    expect(leaderboard).toMatchObject({
      repeats: 3,
      success_rate: 44.44,
      pass_at_1: 0.444444,
      pass_at_2: 0.555556,
      pass_at_k: 0.666667,
      pass_hat_k: 0.333333,
      per_task_success_variance: 0.074074,
      scorer_pass_rates: { exact: 0.444444 },
    });
    expect(result.stdout).toContain('Repeats: 3 per task over 3 task(s): pass@1 0.444, pass@2 0.556, pass@3 0.667, pass^3 0.333');

    // Drop the last two rollouts from the journal: a resume runs those two only.
    const journal = join(directory, 'results.jsonl');
    const lines = (await readFile(journal, 'utf8')).trimEnd().split('\n');
    await writeFile(journal, `${lines.slice(0, -2).join('\n')}\n`);
    const before = server.requests.length;
    const resumed = await runCli(['run', '--resume', directory, '--base-url', `${server.url}/v1`, '--quiet'], { env: { OPENAI_API_KEY: 'sk-test' } });
    expect(resumed.stderr).not.toMatch(/unexpected error/);
    expect(resumed.code).toBe(0);
    expect(server.requests.length - before).toBe(2);
    const again = await readRun(directory);
    expect(again.rows.map((row) => `${row.task_id}:${row.repeat}`)).toEqual(rows.map((row) => `${row.task_id}:${row.repeat}`));
    expect(again.leaderboard).toMatchObject({ repeats: 3, pass_at_k: 0.666667 });
  });
});
