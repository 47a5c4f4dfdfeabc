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
  it('copies both datasets with --yes and prints what went where', async () => {
    const card = '---\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n    path: data/train.jsonl\n---\n';
    const tasksSha = hub.seedDataset('kshitijthakkar/smoltrace-tasks', { 'README.md': card, 'data/train.jsonl': '{"id": "t1"}\n' });
    const benchmarkSha = hub.seedDataset('kshitijthakkar/smoltrace-benchmark-v1', { 'data/train.jsonl': '{"id": "b1"}\n' });
    const result = await runCli(['copy-datasets', '--yes'], { env: env() });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      `[INFO] Copying to alice on ${hub.url} as private datasets`,
      '[NEW] kshitijthakkar/smoltrace-benchmark-v1 -> alice/smoltrace-benchmark-v1',
      '[NEW] kshitijthakkar/smoltrace-tasks -> alice/smoltrace-tasks',
      `✓ alice/smoltrace-benchmark-v1 (1 file(s) from kshitijthakkar/smoltrace-benchmark-v1@${benchmarkSha.slice(0, 7)})`,
      `✓ alice/smoltrace-tasks (2 file(s) from kshitijthakkar/smoltrace-tasks@${tasksSha.slice(0, 7)})`,
      'Copied: 2, failed: 0, skipped: 0',
      '',
    ]);
    expect(new TextDecoder().decode(hub.readFile('alice/smoltrace-tasks', 'README.md'))).toBe(card);
    expect(new TextDecoder().decode(hub.readFile('alice/smoltrace-benchmark-v1', 'data/train.jsonl'))).toBe('{"id": "b1"}\n');
    expect(hub.repos.get('alice/smoltrace-tasks')!.private).toBe(true);
  });

  it('copies what it can and exits 1 when one source is missing', async () => {
    hub.seedDataset('kshitijthakkar/smoltrace-tasks', { 'data/train.jsonl': '{"id": "t1"}\n' });
    const result = await runCli(['copy-datasets', '--yes', '--public'], { env: env() });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^✗ alice\/smoltrace-benchmark-v1: .*kshitijthakkar\/smoltrace-benchmark-v1.*not found.*$/m);
    expect(result.stdout).toMatch(/^✓ alice\/smoltrace-tasks \(1 file\(s\) from kshitijthakkar\/smoltrace-tasks@[0-9a-f]{7}\)$/m);
    expect(result.stdout).toContain('Copied: 1, failed: 1, skipped: 0');
    expect(hub.repos.get('alice/smoltrace-tasks')!.private).toBe(false);
    expect(hub.repos.has('alice/smoltrace-benchmark-v1')).toBe(false);
  });

  it('exits 2 without --yes off a terminal and without a token, 1 with a token the Hub refuses', async () => {
    const unconfirmed = await runCli(['copy-datasets'], { env: env() });
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr.trim()).toBe('agent-eval: confirmation needed: pass --yes (stdin is not a terminal, so COPY cannot be typed)');
    const anonymous = await runCli(['copy-datasets', '--yes'], { env: { HF_ENDPOINT: hub.url, HF_HOME: home } });
    expect(anonymous.code).toBe(2);
    expect(anonymous.stderr.trim()).toBe('agent-eval: copy-datasets needs a Hub token: set HF_TOKEN, pass --hf-token-file, or run `hf auth login`');
    const refused = await runCli(['copy-datasets', '--yes'], { env: { ...env(), HF_TOKEN: 'hf_unknown' } });
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/^agent-eval: Hub whoami/);
    expect(hub.requests.filter((request) => request.method !== 'GET')).toEqual([]);
  });
});
