// Local transformers.js models from the built CLI: `--model-path`, and the zero-key default (no
// --model) downloaded from a loopback Hub into the Hugging Face cache, then used offline.
import { existsSync } from 'node:fs';
import { lstat, mkdtemp, readFile, readdir, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LOCAL_MODEL } from '../../src/eval/defaults.js';
import { runCli } from '../helpers/cli.js';
import { createFakeNvidiaSmi } from '../helpers/fake-nvidia-smi.js';
import { startHubServer, type HubServer } from '../helpers/hub-server.js';
import { writeTinyModel, type TinyModel } from '../helpers/tiny-onnx-model.js';

const REPLIES = [
  '<tool_call>\n{"name": "get_weather", "arguments": {"location": "Paris, France"}}\n</tool_call>',
  '<tool_call>\n{"name": "final_answer", "arguments": {"answer": "Paris: 20°C, Partly Cloudy"}}\n</tool_call>',
];
const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8'));

let work: string;
let tiny: TinyModel;
let hub: HubServer;
let sha: string;

async function folderFiles(folder: string): Promise<Record<string, Uint8Array>> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  const files: Record<string, Uint8Array> = {};
  for (const entry of entries.filter((item) => item.isFile())) {
    const path = join(entry.parentPath, entry.name);
    files[relative(folder, path)] = new Uint8Array(await readFile(path));
  }
  return files;
}

async function runDirectory(output: string): Promise<string> {
  const names = await readdir(output);
  expect(names).toHaveLength(1);
  return join(output, names[0]!);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'agent-eval-e2e-local-'));
  tiny = await writeTinyModel(join(work, 'tiny'), { replies: REPLIES, dtypes: ['fp32', 'q4'] });
  hub = await startHubServer({ users: {} });
  sha = hub.seedModel(DEFAULT_LOCAL_MODEL.id, await folderFiles(tiny.folder));
});

afterAll(async () => {
  await hub.close();
  await rm(work, { recursive: true, force: true });
});

describe('agent-eval run with a local model', () => {
  it('--model-path runs the tool agent on a built-in task with the local model, no key and no network', async () => {
    const output = join(work, 'out-path');
    const result = await runCli(['run', '--model-path', tiny.folder, '--agent-type', 'tool', '--task-id', 'tool_weather_single', '--output-dir', output, '--disable-gpu-metrics']);
    expect(result.stderr).not.toMatch(/onnxruntime|\[W:|warn/i);
    expect(result.code).toBe(0);
    const directory = await runDirectory(output);
    const [row] = await readJson(join(directory, 'results.json'));
    expect(row).toMatchObject({ success: true, tool_called: true, correct_tool: true, final_answer_called: true });
    expect(row.total_tokens).toBeGreaterThan(0);
    const metadata = await readJson(join(directory, 'metadata.json'));
    expect(metadata.model_provider).toBe('transformers');
    expect(metadata.local_model).toMatchObject({ folder: tiny.folder, device: 'cpu', dtype: 'fp32', downloadedBytes: 0 });
    expect(metadata.local_model.revision).toBeUndefined();
  });

  it('on a GPU machine, a CPU-run local model gets the CPU energy estimate beside the GPU figures', async () => {
    const fake = createFakeNvidiaSmi({ fixture: 'rtx4090-2gpu.csv' });
    try {
      const output = join(work, 'out-energy');
      const result = await runCli(['run', '--model-path', tiny.folder, '--agent-type', 'tool', '--task-id', 'tool_weather_single', '--output-dir', output, '--gpu-sample-interval', '0.05'], {
        env: { AGENT_EVAL_NVIDIA_SMI: fake.binary },
      });
      expect(result.code).toBe(0);
      expect(result.stderr).toContain("the model runs on the CPU: its energy is the CPU estimate (TDP x load); the GPU figures are the GPU's own draw");
      const leaderboard = await readJson(join(await runDirectory(output), 'leaderboard_row.json'));
      expect(leaderboard.gpu_names).toContain('RTX 4090');
      expect(leaderboard.cpu_energy_kwh_estimate).toBeGreaterThanOrEqual(0);
    } finally {
      fake.cleanup();
    }
  });

  it('drives the code agent too: the local model writes Python that calls a tool in the sandbox', async () => {
    const coder = await writeTinyModel(join(work, 'coder'), {
      replies: ['Thought: I will multiply with the calculator.\n<code>\nresult = calculator("234 * 67")\nfinal_answer(result)\n</code>'],
    });
    const output = join(work, 'out-code');
    const result = await runCli(['run', '--model-path', coder.folder, '--agent-type', 'code', '--task-id', 'code_calculator_single', '--output-dir', output, '--disable-gpu-metrics']);
    expect(result.code).toBe(0);
    const [row] = await readJson(join(await runDirectory(output), 'results.json'));
    expect(row).toMatchObject({ agent_type: 'code', success: true, tools_used: ['calculator'], final_answer_called: true });
    expect(row.response).toContain('15678');
  });

  it('with no --model, downloads the default model into the Hugging Face cache once, then runs from it offline', async () => {
    const home = join(work, 'hf-home');
    const first = await runCli(['run', '--agent-type', 'tool', '--task-id', 'tool_weather_single', '--output-dir', join(work, 'out-1'), '--disable-gpu-metrics'], {
      env: { HF_ENDPOINT: hub.url, HF_HOME: home },
    });
    expect(first.code).toBe(0);
    expect(first.stderr).toContain(`[DOWNLOAD] ${DEFAULT_LOCAL_MODEL.id}`);
    expect(first.stderr).toMatch(/\[DOWNLOAD\] done: /);
    const snapshot = join(home, 'hub', `models--${DEFAULT_LOCAL_MODEL.id.replace('/', '--')}`);
    expect((await readFile(join(snapshot, 'refs', 'main'), 'utf8')).trim()).toBe(sha);
    // The Python cache layout: the snapshot's files are symlinks into blobs/; only the q4 weights came.
    const weights = join(snapshot, 'snapshots', sha, 'onnx', 'model_q4.onnx');
    expect((await lstat(weights)).isSymbolicLink()).toBe(true);
    expect(await readlink(weights)).toMatch(/^\.\.\/\.\.\/\.\.\/blobs\/[0-9a-f]{64}$/);
    expect(existsSync(join(snapshot, 'snapshots', sha, 'onnx', 'model.onnx'))).toBe(false);
    const metadata = await readJson(join(await runDirectory(join(work, 'out-1')), 'metadata.json'));
    expect(metadata.run_options.model).toBe(DEFAULT_LOCAL_MODEL.id);
    expect(metadata.local_model).toMatchObject({ source: DEFAULT_LOCAL_MODEL.id, revision: sha, dtype: 'q4' });
    expect(metadata.local_model.downloadedBytes).toBeGreaterThan(0);
    const [row] = await readJson(join(await runDirectory(join(work, 'out-1')), 'results.json'));
    expect(row.success).toBe(true);

    // Second run: the Hub is not asked at all (offline, and the fake's request log does not grow).
    const requests = hub.requests.length;
    const second = await runCli(['run', '--agent-type', 'tool', '--task-id', 'tool_weather_single', '--output-dir', join(work, 'out-2'), '--disable-gpu-metrics'], {
      env: { HF_ENDPOINT: 'http://127.0.0.1:9', HF_HOME: home, HF_HUB_OFFLINE: '1' },
    });
    expect(second.code).toBe(0);
    expect(second.stderr).not.toContain('[DOWNLOAD]');
    expect(hub.requests.length).toBe(requests);
  });

  it('without network and without a cached copy, says what to do in one line and writes nothing', async () => {
    const output = join(work, 'out-offline');
    const result = await runCli(['run', '--agent-type', 'tool', '--output-dir', output], {
      env: { HF_ENDPOINT: 'http://127.0.0.1:9', HF_HOME: join(work, 'empty-home') },
    });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/the Hub is unreachable/);
    expect(lines[0]).toMatch(/connect to the network once to download it, or give --model-path/);
    expect(existsSync(output)).toBe(false);
  });

  it('--security-profile closed runs a local folder, and never asks the Hub for an uncached model', async () => {
    const output = join(work, 'out-closed');
    const allowed = await runCli(['run', '--security-profile', 'closed', '--model-path', tiny.folder, '--agent-type', 'tool', '--task-id', 'tool_weather_single', '--output-dir', output, '--disable-gpu-metrics']);
    expect(allowed.code).toBe(0);
    expect(await readJson(join(await runDirectory(output), 'effective_policy.json'))).toMatchObject({ profile: 'closed', model_provider: 'transformers', remote_model_allowed: false });
    const requests = hub.requests.length;
    const refused = await runCli(['run', '--security-profile', 'closed', '--agent-type', 'tool', '--output-dir', join(work, 'out-closed-2')], {
      env: { HF_ENDPOINT: hub.url, HF_HOME: join(work, 'closed-home') },
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/offline mode \(HF_HUB_OFFLINE or --security-profile closed\)/);
    expect(hub.requests.length).toBe(requests);
  });

  it('AGENT_EVAL_DEFAULT_MODEL overrides the default, and a --dtype the model lacks is an input error naming what it has', async () => {
    const result = await runCli(['run', '--agent-type', 'tool', '--dtype', 'fp16', '--output-dir', join(work, 'out-dtype')], {
      env: { AGENT_EVAL_DEFAULT_MODEL: tiny.folder },
    });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(`agent-eval: --dtype fp16: model ${tiny.folder} has no onnx/model_fp16.onnx; it publishes fp32, q4`);
  });

  it('rejects local-model flags for an API model and --model-path with another provider', async () => {
    const dtype = await runCli(['run', '--model', 'openai/gpt-4o-mini', '--dtype', 'q4'], { env: { OPENAI_API_KEY: 'sk-test' } });
    expect(dtype.code).toBe(2);
    expect(dtype.stderr).toContain('--dtype: only for local models');
    const path = await runCli(['run', '--provider', 'ollama', '--model-path', tiny.folder]);
    expect(path.code).toBe(2);
    expect(path.stderr).toContain('--model-path: only for local models');
    const noModel = await runCli(['run', '--provider', 'ollama']);
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toContain('--model is required with --provider ollama');
  });
});
