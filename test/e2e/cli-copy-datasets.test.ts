// `agent-eval copy-datasets` from the built CLI against the loopback Hub.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startHubServer, type HubServer } from '../helpers/hub-server.js';

let hub: HubServer;
let home: string;
const env = () => ({ HF_ENDPOINT: hub.url, HF_TOKEN: 'hf_alice', HF_HOME: home });

beforeEach(async () => {
  hub = await startHubServer({ users: { hf_alice: 'alice' } });
  home = await mkdtemp(join(tmpdir(), 'agent-eval-copy-'));
});
afterEach(async () => {
  await hub.close();
  await rm(home, { recursive: true, force: true });
});

describe('agent-eval copy-datasets', () => {
  it('copies with --yes and prints what went where', async () => {
    const sha = hub.seedDataset('kshitijthakkar/smoltrace-tasks', { 'data/train.jsonl': '{"id": "t1"}\n' });
    const result = await runCli(['copy-datasets', '--only', 'tasks', '--yes'], { env: env() });
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      `[INFO] Copying to alice on ${hub.url} as private datasets`,
      '[NEW] kshitijthakkar/smoltrace-tasks -> alice/smoltrace-tasks',
      `✓ alice/smoltrace-tasks (1 file(s) from kshitijthakkar/smoltrace-tasks@${sha.slice(0, 7)})`,
      'Copied: 1, failed: 0, skipped: 0',
      '',
    ]);
    expect(hub.readFile('alice/smoltrace-tasks', 'data/train.jsonl')).toBeDefined();
  });

  it('exits 1 when a copy fails, 2 without --yes off a terminal, 2 without a token', async () => {
    const failed = await runCli(['copy-datasets', '--only', 'benchmark', '--yes'], { env: env() });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/✗ alice\/smoltrace-benchmark-v1: .*not found/);
    const unconfirmed = await runCli(['copy-datasets'], { env: env() });
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr.trim()).toBe('agent-eval: confirmation needed: pass --yes (stdin is not a terminal, so COPY cannot be typed)');
    const anonymous = await runCli(['copy-datasets', '--yes'], { env: { HF_ENDPOINT: hub.url, HF_HOME: home } });
    expect(anonymous.code).toBe(2);
    expect(anonymous.stderr.trim()).toBe('agent-eval: copy-datasets needs a Hub token: set HF_TOKEN, pass --hf-token-file, or run `huggingface-cli login`');
  });
});
