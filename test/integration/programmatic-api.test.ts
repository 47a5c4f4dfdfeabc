// The package entry as a program uses it: runEvaluation with its own tool (defineTool) and its own
// in-process ModelProvider (no API key, no server), and SMOLTRACE's API under TypeScript names, the
// Hub ones against the loopback fake Hub.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  cleanupDatasets,
  computeLeaderboardRow,
  defineTool,
  generateDatasetNames,
  getHubUserInfo,
  HubClient,
  InputError,
  loadPromptConfig,
  readParquet,
  runEvaluation,
  updateLeaderboard,
  writeLocalJson,
  type ModelProvider,
  type ModelRequest,
  type ModelResponse,
} from '../../src/index.js';
import { startHubServer, type HubServer } from '../helpers/hub-server.js';

const packageJson = JSON.parse(await readFile(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { exports: Record<string, string> };

const capitalTool = defineTool({
  name: 'lookup_capital',
  description: 'Looks up the capital city of a country.',
  input: z.object({ country: z.string().describe('The country, e.g. "France".') }),
  outputType: 'string',
  async execute({ country }) {
    return country === 'France' ? 'Paris' : `unknown country ${country}`;
  },
});

/** A provider in this process: calls lookup_capital, then answers with what the tool said. */
function scriptedProvider(): ModelProvider & { requests: ModelRequest[] } {
  const requests: ModelRequest[] = [];
  const usage = { inputTokens: 10, outputTokens: 5 };
  return {
    provider: 'in-house',
    modelId: 'scripted-1',
    requests,
    async generate(request): Promise<ModelResponse> {
      requests.push(request);
      const toolResult = request.messages.findLast((message) => message.role === 'tool');
      const call = toolResult
        ? { id: `call_${requests.length}`, name: 'final_answer', arguments: { answer: `The capital is ${toolResult.content}.` } }
        : { id: `call_${requests.length}`, name: 'lookup_capital', arguments: { country: 'France' } };
      return { message: { role: 'assistant', content: '', toolCalls: [call] }, usage, finishReason: 'tool-calls', model: 'scripted-1', attempts: 1 };
    },
  };
}

let directory: string;
let datasetName: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'agent-eval-api-'));
  datasetName = join(directory, 'tasks.jsonl');
  const task = { id: 'capital_france', prompt: 'What is the capital of France?', difficulty: 'easy', agent_type: 'tool', expected_tool: 'lookup_capital', expected_keywords: ['Paris'] };
  await writeFile(datasetName, `${JSON.stringify(task)}\n`);
});
afterAll(async () => rm(directory, { recursive: true, force: true }));

describe('runEvaluation with a custom tool and a custom provider', () => {
  it('runs the task through both, with no API key in the environment', async () => {
    expect(packageJson.exports['.']).toBe('./dist/index.js'); // what src/index.ts compiles to
    const provider = scriptedProvider();
    const run = await runEvaluation(
      { model: 'scripted-1', agentType: 'tool', datasetName, outputDir: join(directory, 'out'), workingDirectory: directory },
      { env: {} },
      { provider, tools: [capitalTool] },
    );
    expect(run.modelProvider).toBe('in-house');
    const [result] = await run.loadResults();
    expect(result).toMatchObject({ success: true, tools_used: ['lookup_capital'], correct_tool: true, response: 'The capital is Paris.' });
    expect(result!.tool_calls[0]).toMatchObject({ name: 'lookup_capital', arguments: { country: 'France' }, output: 'Paris', is_error: false });
    // the model saw the custom tool, before final_answer
    const offered = provider.requests[0]!.tools!.map((tool) => tool.name);
    expect(offered.slice(-2)).toEqual(['lookup_capital', 'final_answer']);

    const written = await writeLocalJson(run, { submittedBy: 'me' });
    const saved = JSON.parse(await readFile(join(written.directory, 'leaderboard_row.json'), 'utf8')) as Record<string, unknown>;
    const row = computeLeaderboardRow(run, { submittedBy: 'me' });
    expect(row).toMatchObject({ run_id: run.runId, total_tests: 1, successful_tests: 1, success_rate: 100, submitted_by: 'me', model_provider: 'in-house' });
    expect({ ...row, results_dataset: null, metrics_dataset: null, traces_dataset: null }).toEqual({ ...saved, results_dataset: null, metrics_dataset: null, traces_dataset: null });
  });

  it('refuses a custom tool whose name a run tool has, before writing anything', async () => {
    const clash = defineTool({ ...capitalTool, name: 'calculator' });
    const outputDir = join(directory, 'clash');
    await expect(runEvaluation({ model: 'scripted-1', datasetName, outputDir, workingDirectory: directory }, { env: {} }, { provider: scriptedProvider(), tools: [clash] })).rejects.toThrow(
      new InputError("custom tool 'calculator': a tool of the run already has this name"),
    );
    await expect(readFile(outputDir)).rejects.toThrow(/ENOENT/);
    // without a provider of its own, the model still needs its key
    await expect(runEvaluation({ model: 'openai/gpt-4o-mini', datasetName, outputDir, workingDirectory: directory }, { env: {} })).rejects.toThrow(/OPENAI_API_KEY is not set/);
  });
});

describe("SMOLTRACE's API", () => {
  it('loadPromptConfig: the built-in templates, overlaid with a prompt file', async () => {
    const builtin = await loadPromptConfig();
    expect(builtin.systemPrompt).toContain('{{');
    const file = join(directory, 'prompts.yaml');
    await writeFile(file, 'system_prompt: "You are terse. Tools: {% for tool in tools.values() %}{{ tool.name }} {% endfor %}"\n');
    const custom = await loadPromptConfig(file, { agentType: 'code' });
    expect(custom.systemPrompt).toBe('You are terse. Tools: {% for tool in tools.values() %}{{ tool.name }} {% endfor %}');
    await writeFile(file, 'system_prompt: "{% if %}"\n');
    await expect(loadPromptConfig(file)).rejects.toThrow(InputError);
  });

  it('generateDatasetNames: the four names for a run pushed at a time, UTC', () => {
    expect(generateDatasetNames('alice', { now: new Date('2026-01-02T03:04:05Z') })).toEqual({
      results: 'alice/smoltrace-results-20260102_030405',
      traces: 'alice/smoltrace-traces-20260102_030405',
      metrics: 'alice/smoltrace-metrics-20260102_030405',
      leaderboard: 'alice/smoltrace-leaderboard',
    });
    expect(generateDatasetNames('bob', { prefix: 'evals', now: new Date('2026-12-31T23:59:59Z') }).leaderboard).toBe('bob/evals-leaderboard');
    expect(() => generateDatasetNames('not a user')).toThrow(InputError);
  });

  describe('on the Hub', () => {
    let server: HubServer;
    let env: Record<string, string>;
    beforeAll(async () => {
      server = await startHubServer({ users: { hf_alice: 'alice' } });
      env = { HF_ENDPOINT: server.url, HF_TOKEN: 'hf_alice', HF_HOME: join(directory, 'hf') };
    });
    afterAll(async () => server.close());

    it('getHubUserInfo, updateLeaderboard and cleanupDatasets', async () => {
      expect(await getHubUserInfo({ env })).toMatchObject({ name: 'alice' });
      expect(await getHubUserInfo({ env: { HF_ENDPOINT: server.url, HF_HOME: join(directory, 'none') } })).toBeNull();

      const row = { run_id: 'r1', model: 'm', agent_type: 'tool', total_tests: 2, success_rate: 50, timestamp: '2026-01-02T03:04:05.000Z', results_dataset: 'alice/smoltrace-results-20260102_030405' };
      const { leaderboard } = await updateLeaderboard(row, { env });
      expect(leaderboard).toMatchObject({ repo: 'alice/smoltrace-leaderboard', created: true, file: 'data/r1.parquet' });
      const client = new HubClient({ hubUrl: server.url, token: 'hf_alice' });
      const [stored] = await readParquet((await client.downloadFile('alice/smoltrace-leaderboard', 'main', 'data/r1.parquet'))!);
      expect(stored).toMatchObject({ run_id: 'r1', total_tests: 2, results_dataset: 'alice/smoltrace-results-20260102_030405', evaluation_date: '2026-01-02T03:04:05.000Z' });
      await expect(updateLeaderboard({ model: 'm' }, { env })).rejects.toThrow(/run_id is missing/);

      for (const part of ['results', 'traces', 'metrics']) server.seedDataset(`alice/smoltrace-${part}-20250101_000000`, {}, { createdAt: '2025-01-01T00:00:00Z' });
      const dry = await cleanupDatasets({ env, olderThanDays: 30 });
      expect(dry).toMatchObject({ user: 'alice', dryRun: true, deleted: [], skipped: ['leaderboard'] });
      expect(dry.plan.repos).toHaveLength(3);
      expect(server.repos.has('alice/smoltrace-results-20250101_000000')).toBe(true);
      const done = await cleanupDatasets({ env, olderThanDays: 30, dryRun: false });
      expect(done.deleted.sort()).toEqual(['alice/smoltrace-metrics-20250101_000000', 'alice/smoltrace-results-20250101_000000', 'alice/smoltrace-traces-20250101_000000']);
      expect(server.repos.has('alice/smoltrace-leaderboard')).toBe(true);
      const board = await cleanupDatasets({ env, all: true, dryRun: false, deleteLeaderboard: true });
      expect(board).toMatchObject({ leaderboard: 'alice/smoltrace-leaderboard', deleted: ['alice/smoltrace-leaderboard'], skipped: [] });
      await expect(cleanupDatasets({ env: { HF_ENDPOINT: server.url, HF_HOME: join(directory, 'none') }, all: true })).rejects.toThrow(/needs a Hub token/);
    });
  });
});
