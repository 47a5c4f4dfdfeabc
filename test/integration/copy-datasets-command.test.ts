// `agent-eval copy-datasets` in process (registerHubCommands on a fresh program, with a fake terminal
// for the typed COPY), against the loopback Hub: the prompt, cancelling, the flag checks, skipping.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runHubCommand } from '../helpers/hub-cli.js';
import { startHubServer, type HubServer } from '../helpers/hub-server.js';

const SOURCE = 'kshitijthakkar/smoltrace-tasks';

let server: HubServer;
let home: string;
let sha: string;

beforeEach(async () => {
  server = await startHubServer({ users: { hf_alice: 'alice', hf_bob: 'kshitijthakkar' } });
  home = await mkdtemp(join(tmpdir(), 'agent-eval-copy-cli-'));
  sha = server.seedDataset(SOURCE, { 'data/train.jsonl': '{"id": "t1"}\n' });
});
afterEach(async () => {
  await server.close();
  await rm(home, { recursive: true, force: true });
});

function cli(args: string[], options: { answers?: string[]; isTTY?: boolean; token?: string } = {}) {
  return runHubCommand(['copy-datasets', ...args], { ...options, env: { HF_ENDPOINT: server.url, HF_HOME: home, HF_TOKEN: options.token ?? 'hf_alice' } });
}

describe('agent-eval copy-datasets (in process)', () => {
  it('copies after COPY is typed; anything else cancels and copies nothing', async () => {
    const cancelled = await cli(['--only', 'tasks'], { isTTY: true, answers: ['copy'] });
    expect(cancelled.error).toBeUndefined();
    expect(cancelled.code).toBe(1);
    expect(cancelled.out).toContain('[NEW] kshitijthakkar/smoltrace-tasks -> alice/smoltrace-tasks');
    expect(cancelled.out).toContain('Type COPY to copy 1 dataset(s) (anything else cancels):');
    expect(cancelled.err).toBe('Cancelled: nothing was copied.');
    expect(server.repos.has('alice/smoltrace-tasks')).toBe(false);

    const copied = await cli(['--only', 'tasks'], { isTTY: true, answers: ['COPY'] });
    expect(copied.code).toBe(0);
    expect(copied.out).toContain(`✓ alice/smoltrace-tasks (1 file(s) from ${SOURCE}@${sha.slice(0, 7)})`);
    expect(server.repos.get('alice/smoltrace-tasks')!.private).toBe(true);

    const again = await cli(['--only', 'tasks', '--public'], { isTTY: true, answers: ['COPY'] });
    expect(again.code).toBe(0);
    expect(again.out).toContain('[EXISTS] kshitijthakkar/smoltrace-tasks -> alice/smoltrace-tasks (OVERWRITTEN: one new commit mirrors the source, deleting files it lacks)');
  });

  it('creates public copies with --public and names the files a copy deletes', async () => {
    const fresh = await cli(['--only', 'tasks', '--public', '--yes']);
    expect(fresh.code).toBe(0);
    expect(fresh.out).toContain('as public datasets');
    expect(fresh.err).toBe('');
    expect(server.repos.get('alice/smoltrace-tasks')!.private).toBe(false);
    server.commitFiles('alice/smoltrace-tasks', { 'data/old.jsonl': '{"id": "old"}\n' });
    const stale = await cli(['--only', 'tasks', '--yes']);
    expect(stale.code).toBe(0);
    expect(stale.err).toBe('');
    expect(stale.out).toContain(`  deleted 1 file(s) ${SOURCE} does not have: data/old.jsonl`);
    expect(server.readFile('alice/smoltrace-tasks', 'data/old.jsonl')).toBeUndefined();
  });

  it('refuses bad flags before any Hub call, and skips datasets that are already yours', async () => {
    const both = await cli(['--private', '--public', '--yes']);
    expect(String(both.error)).toBe('InputError: --private and --public: choose one');
    const badUser = await cli(['--source-user', '../x', '--yes']);
    expect(String(badUser.error)).toBe('InputError: --source-user ../x: not a Hub user name');
    const unconfirmed = await cli([]);
    expect(String(unconfirmed.error)).toBe('InputError: confirmation needed: pass --yes (stdin is not a terminal, so COPY cannot be typed)');
    expect(server.requests).toEqual([]);

    const own = await cli([], { token: 'hf_bob', isTTY: true });
    expect(own.error).toBeUndefined();
    expect(own.code).toBe(0);
    expect(own.out.split('\n')).toEqual([
      `[INFO] Copying to kshitijthakkar on ${server.url} as private datasets`,
      '[SKIP] kshitijthakkar/smoltrace-benchmark-v1: already yours',
      '[SKIP] kshitijthakkar/smoltrace-tasks: already yours',
      'Nothing to copy.',
    ]);
    expect(server.requests.some((request) => request.method === 'POST')).toBe(false);
  });
});
