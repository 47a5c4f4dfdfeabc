// Two real run directories for the reading-results tests, made by the built CLI against the loopback
// OpenAI server: a base run (with --enable-otel and a fake nvidia-smi, so it has traces and GPU
// samples) and a candidate run that fails tasks t01..t08 (pass -> fail) and passes t12 (fail -> pass).
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli.js';
import { createFakeNvidiaSmi } from './fake-nvidia-smi.js';
import { finalAnswer, startOpenAIServer, toolCall, type Responder, type ScriptedReply } from './openai-server.js';
import { solveTasks } from './task-model.js';

export interface ReportTask {
  id: string;
  prompt: string;
  difficulty: string;
  agent_type: 'tool';
  expected_tool: string;
  expected_tool_calls: number;
  expected_keywords: string[];
  category: string;
}

export const REPORT_TASKS: ReportTask[] = Array.from({ length: 12 }, (_, index) => {
  const id = `t${String(index + 1).padStart(2, '0')}`;
  const weather = index % 2 === 0;
  return {
    id,
    prompt: weather ? `Task ${id}: what is the weather in Paris, France?` : `Task ${id}: what is 234 * 67?`,
    difficulty: ['easy', 'medium', 'hard'][index % 3]!,
    agent_type: 'tool',
    expected_tool: weather ? 'get_weather' : 'calculator',
    expected_tool_calls: 1,
    expected_keywords: weather ? ['Paris'] : ['15678'],
    category: weather ? 'weather' : 'math',
  };
});

export const PASS_TO_FAIL = ['t01', 't02', 't03', 't04', 't05', 't06', 't07', 't08'];
export const FAIL_TO_PASS = ['t12'];

/** A wrong final answer after the right tool: fails on missing_keyword. */
function wrongAnswer(task: ReportTask): ScriptedReply[] {
  return [toolCall(task.expected_tool, task.expected_tool === 'get_weather' ? { location: 'Paris, France' } : { expression: '234 * 67' }), finalAnswer('I am not sure.')];
}

export interface ReportRuns {
  base: string;
  candidate: string;
  output: string;
}

async function runInto(output: string, model: string, baseUrl: string, tasksFile: string, extra: string[], env: Record<string, string> = {}): Promise<string> {
  const before = new Set(await readdir(output));
  const result = await runCli(['run', '--model', model, '--base-url', baseUrl, '--agent-type', 'tool', '--dataset-name', tasksFile, '--output-dir', output, '--max-retries', '0', '--quiet', ...extra], { env: { OPENAI_API_KEY: 'sk-test', ...env } });
  if (result.code !== 0) throw new Error(`run failed (${result.code}): ${result.stderr}`);
  const created = (await readdir(output)).filter((name) => !before.has(name));
  return join(output, created[0]!);
}

/** Makes the base and candidate runs (about 10 s on two cores). */
export async function makeReportRuns(): Promise<ReportRuns> {
  const output = await mkdtemp(join(tmpdir(), 'agent-eval-report-runs-'));
  const tasksFile = join(output, 'tasks.jsonl');
  await writeFile(tasksFile, REPORT_TASKS.map((task) => JSON.stringify(task)).join('\n'));
  const byId = new Map(REPORT_TASKS.map((task) => [task.id, task]));
  const base = solveTasks(REPORT_TASKS, { t12: wrongAnswer(byId.get('t12')!) });
  const candidate = solveTasks(REPORT_TASKS, Object.fromEntries(PASS_TO_FAIL.map((id) => [id, wrongAnswer(byId.get(id)!)])));
  const responder: Responder = (request) => (String(request.body?.model).includes('candidate') ? candidate(request) : base(request));
  const server = await startOpenAIServer({ responder });
  const nvidiaSmi = createFakeNvidiaSmi({ fixture: 'rtx4090-2gpu.csv' });
  try {
    const runs = join(output, 'runs');
    await mkdir(runs);
    const baseDirectory = await runInto(runs, 'openai/base-model', `${server.url}/v1`, tasksFile, ['--enable-otel', '--enable-gpu-metrics', '--gpu-sample-interval', '0.05'], { PATH: nvidiaSmi.pathWithFake(process.env.PATH) });
    // Run directories (and Hub dataset names) are named by the second: start the candidate in the next one.
    await new Promise((resolve) => setTimeout(resolve, 1010 - (Date.now() % 1000)));
    const candidateDirectory = await runInto(runs, 'openai/candidate-model', `${server.url}/v1`, tasksFile, []);
    return { base: baseDirectory, candidate: candidateDirectory, output };
  } finally {
    nvidiaSmi.cleanup();
    await server.close();
  }
}
