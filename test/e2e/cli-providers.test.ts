import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTasks } from '../../src/tasks/load.js';
import type { Task } from '../../src/tasks/schema.js';
import { startAnthropicServer } from '../helpers/anthropic-server.js';
import { runCli } from '../helpers/cli.js';
import { closedPort } from '../helpers/loopback-http.js';
import { startOllamaServer } from '../helpers/ollama-server.js';
import { startOpenAIServer } from '../helpers/openai-server.js';
import { solveTasks } from '../helpers/task-model.js';
import { writeTinyModel } from '../helpers/tiny-onnx-model.js';

let tasks: Task[];
beforeAll(async () => {
  tasks = (await loadTasks({ datasetName: 'builtin', split: 'train' })).filter((task) => task.agent_type !== 'code').slice(0, 5);
});

/** Runs the CLI on the same five built-in tasks against one provider's loopback server. */
async function evaluate(model: string, env: Record<string, string>, extra: string[] = []) {
  const output = await mkdtemp(join(tmpdir(), 'agent-eval-providers-'));
  const ids = tasks.map((task) => task.id);
  const result = await runCli(['run', '--model', model, '--agent-type', 'tool', '--output-dir', output, '--task-id', ...ids, '--quiet', ...extra], { env });
  expect(result.stderr).not.toMatch(/unexpected error/);
  expect(result.code).toBe(0);
  const [name] = await readdir(output);
  return JSON.parse(await readFile(join(output, name!, 'results.json'), 'utf8')) as { task_id: string; success: boolean; tools_used: string[]; response: string; model_provider: string }[];
}

const comparable = (rows: Awaited<ReturnType<typeof evaluate>>) => rows.map(({ task_id, success, tools_used, response }) => ({ task_id, success, tools_used, response }));

describe('the same tasks through every native provider', () => {
  it('gives the same results over OpenAI-compatible, Anthropic and Ollama APIs', async () => {
    const openai = await startOpenAIServer({ responder: solveTasks(tasks) });
    const anthropic = await startAnthropicServer({ responder: solveTasks(tasks), requireApiKey: 'sk-ant-test' });
    const ollama = await startOllamaServer({ responder: solveTasks(tasks), models: ['llama3.2'] });
    try {
      const viaOpenAI = await evaluate('openai/gpt-4o-mini', { OPENAI_API_KEY: 'sk-test' }, ['--base-url', `${openai.url}/v1`]);
      const viaAnthropic = await evaluate('anthropic/claude-sonnet-4-5', { ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: anthropic.url });
      const viaOllama = await evaluate('ollama/llama3.2', { OLLAMA_HOST: ollama.url });
      expect(viaOpenAI.every((row) => row.success)).toBe(true);
      expect(comparable(viaAnthropic)).toEqual(comparable(viaOpenAI));
      expect(comparable(viaOllama)).toEqual(comparable(viaOpenAI));
      expect(viaAnthropic[0]!.model_provider).toBe('anthropic');
      expect(viaOllama[0]!.model_provider).toBe('ollama');
      expect(anthropic.requests.length).toBeGreaterThan(0);
      expect(ollama.requests.every((request) => request.path === '/api/chat')).toBe(true);
    } finally {
      await Promise.all([openai.close(), anthropic.close(), ollama.close()]);
    }
  });

  it('gives the same result row through a local transformers.js model scripted like the API servers', async () => {
    const weather = tasks.find((task) => task.id === 'tool_weather_single')!;
    const openai = await startOpenAIServer({ responder: solveTasks([weather]) });
    const work = await mkdtemp(join(tmpdir(), 'agent-eval-local-compare-'));
    try {
      const answer = `The answer: ${weather.expected_keywords!.join(', ')}.`;
      const tiny = await writeTinyModel(join(work, 'tiny'), {
        replies: [
          '<tool_call>\n{"name": "get_weather", "arguments": {"location": "Paris, France"}}\n</tool_call>',
          `<tool_call>\n{"name": "final_answer", "arguments": {"answer": ${JSON.stringify(answer)}}}\n</tool_call>`,
        ],
      });
      const run = async (model: string, env: Record<string, string>, extra: string[]) => {
        const output = join(work, `out-${model.replace(/\W/g, '')}`);
        const result = await runCli(['run', '--model', model, '--agent-type', 'tool', '--task-id', weather.id, '--output-dir', output, '--quiet', '--disable-gpu-metrics', ...extra], { env });
        expect(result.code).toBe(0);
        const [name] = await readdir(output);
        return JSON.parse(await readFile(join(output, name!, 'results.json'), 'utf8')) as Awaited<ReturnType<typeof evaluate>>;
      };
      const viaApi = await run('openai/gpt-4o-mini', { OPENAI_API_KEY: 'sk-test' }, ['--base-url', `${openai.url}/v1`]);
      const viaLocal = await run('tiny', {}, ['--provider', 'transformers', '--model-path', tiny.folder]);
      expect(viaApi[0]!.success).toBe(true);
      expect(comparable(viaLocal)).toEqual(comparable(viaApi));
      expect(viaLocal[0]!.model_provider).toBe('transformers');
    } finally {
      await openai.close();
      await rm(work, { recursive: true, force: true });
    }
  });

  it('sends hf/ models the token of --hf-token-file (over HF_TOKEN), or of the cached login', async () => {
    const router = await startOpenAIServer({ responder: solveTasks(tasks), requireApiKey: 'hf_from_file' });
    const work = await mkdtemp(join(tmpdir(), 'agent-eval-hf-token-'));
    try {
      const tokenFile = join(work, 'token');
      await writeFile(tokenFile, 'hf_from_file\n');
      const viaFile = await evaluate('hf/meta-llama/Llama-3.1-8B-Instruct', { HF_TOKEN: 'hf_other' }, ['--base-url', `${router.url}/v1`, '--hf-token-file', tokenFile]);
      expect(viaFile.every((row) => row.success)).toBe(true);
      // No HF_TOKEN: the token `hf auth login` saved under HF_HOME.
      const home = join(work, 'hf-home');
      await mkdir(home);
      await writeFile(join(home, 'token'), 'hf_from_file');
      const viaLogin = await evaluate('hf/meta-llama/Llama-3.1-8B-Instruct', { HF_HOME: home }, ['--base-url', `${router.url}/v1`]);
      expect(viaLogin.every((row) => row.success)).toBe(true);
    } finally {
      await router.close();
      await rm(work, { recursive: true, force: true });
    }
  });

  it('tells the user to start Ollama when it is not running', async () => {
    const port = await closedPort();
    const output = await mkdtemp(join(tmpdir(), 'agent-eval-providers-'));
    const result = await runCli(['run', '--model', 'ollama/llama3.2', '--agent-type', 'tool', '--output-dir', output, '--limit', '1', '--max-retries', '0'], {
      env: { OLLAMA_HOST: `127.0.0.1:${port}` },
    });
    // A model that cannot be reached is an infrastructure failure: the run exits 1 and says how to resume.
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot reach Ollama at http://127.0.0.1:${port}: is 'ollama serve' running?`);
  });
});
