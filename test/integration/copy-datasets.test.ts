// Copying SMOLTRACE's task datasets into the user's namespace, against the loopback Hub.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HubClient } from '../../src/hub/client.js';
import { executeCopy, planCopy } from '../../src/hub/copy-datasets.js';
import { startHubServer, type HubServer } from '../helpers/hub-server.js';
import { GITATTRIBUTES } from '../helpers/hub-store.js';

const SOURCE = 'kshitijthakkar';
const CARD = '---\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n    path: data/train.jsonl\n---\n# tasks\n';
const ROWS = '{"id": "t1", "prompt": "What is 2+2?"}\n';
/** Not valid UTF-8, and stored through LFS (*.parquet): a text round trip would change it. */
const PARQUET = new Uint8Array([0x50, 0x41, 0x52, 0x31, 0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0x50, 0x41, 0x52, 0x31]);

let hub: HubServer;
let client: HubClient;

beforeEach(async () => {
  hub = await startHubServer({ users: { hf_alice: 'alice' } });
  client = new HubClient({ hubUrl: hub.url, token: 'hf_alice', retry: { tries: 1 } });
});
afterEach(async () => {
  await hub.close();
});

describe('copy-datasets', () => {
  it('copies both datasets byte for byte from the pinned commit, private by default', async () => {
    const tasksSha = hub.seedDataset(`${SOURCE}/smoltrace-tasks`, { 'README.md': CARD, 'data/train.jsonl': ROWS });
    const benchmarkSha = hub.seedDataset(`${SOURCE}/smoltrace-benchmark-v1`, { 'data/train.jsonl': ROWS });
    const plan = await planCopy(client, 'alice');
    expect(plan).toEqual([
      { source: `${SOURCE}/smoltrace-benchmark-v1`, destination: 'alice/smoltrace-benchmark-v1', exists: false },
      { source: `${SOURCE}/smoltrace-tasks`, destination: 'alice/smoltrace-tasks', exists: false },
    ]);
    const results = await executeCopy(client, plan, { private: true });
    expect(results.map((result) => [result.destination, result.ok, result.sha, result.files])).toEqual([
      ['alice/smoltrace-benchmark-v1', true, benchmarkSha, 1],
      ['alice/smoltrace-tasks', true, tasksSha, 2],
    ]);
    expect(new TextDecoder().decode(hub.readFile('alice/smoltrace-tasks', 'README.md'))).toBe(CARD);
    expect(new TextDecoder().decode(hub.readFile('alice/smoltrace-tasks', 'data/train.jsonl'))).toBe(ROWS);
    // A source without a card gets one naming the source and commit.
    expect(new TextDecoder().decode(hub.readFile('alice/smoltrace-benchmark-v1', 'README.md'))).toContain(`at commit \`${benchmarkSha}\``);
    const repo = hub.repos.get('alice/smoltrace-tasks')!;
    expect(repo.private).toBe(true);
    expect(repo.commits.get(repo.branches.get('main')!)!.title).toBe(`Copy of ${SOURCE}/smoltrace-tasks@${tasksSha.slice(0, 7)}`);
  });

  it('copies only the one asked for, public on request, and overwrites an existing copy in one new commit', async () => {
    hub.seedDataset(`${SOURCE}/smoltrace-tasks`, { 'README.md': CARD, 'data/train.jsonl': ROWS });
    await executeCopy(client, await planCopy(client, 'alice', { only: 'tasks' }), { private: false });
    expect(hub.repos.get('alice/smoltrace-tasks')!.private).toBe(false);
    expect(hub.repos.has('alice/smoltrace-benchmark-v1')).toBe(false);
    hub.commitFiles(`${SOURCE}/smoltrace-tasks`, { 'data/train.jsonl': `${ROWS}{"id": "t2", "prompt": "3+3?"}\n` });
    const again = await planCopy(client, 'alice', { only: 'tasks' });
    expect(again[0]!.exists).toBe(true);
    const commits = hub.repos.get('alice/smoltrace-tasks')!.commits.size;
    const [result] = await executeCopy(client, again, { private: false });
    expect(result!.ok).toBe(true);
    expect(hub.repos.get('alice/smoltrace-tasks')!.commits.size).toBe(commits + 1);
    expect(new TextDecoder().decode(hub.readFile('alice/smoltrace-tasks', 'data/train.jsonl'))).toContain('"t2"');
  });

  it('reads the source only at the pinned sha and copies binary LFS files byte for byte, leaving .gitattributes to the Hub', async () => {
    const sha = hub.seedDataset(`${SOURCE}/smoltrace-benchmark-v1`, { '.gitattributes': `${GITATTRIBUTES}*.source-only filter=lfs\n`, 'README.md': CARD, 'data/train-00000-of-00001.parquet': PARQUET });
    const [result] = await executeCopy(client, await planCopy(client, 'alice', { only: 'benchmark' }), { private: true });
    expect(result).toMatchObject({ ok: true, sha, files: 2 });
    const destination = 'alice/smoltrace-benchmark-v1';
    const parquet = 'data/train-00000-of-00001.parquet';
    expect(hub.readFile(destination, parquet)).toEqual(hub.readFile(`${SOURCE}/smoltrace-benchmark-v1`, parquet, sha));
    expect(hub.readFile(destination, parquet)).toEqual(PARQUET);
    expect(hub.repos.get(destination)!.commits.get(hub.repos.get(destination)!.branches.get('main')!)!.files.get(parquet)!.lfs).toBe(true);
    // The destination's .gitattributes is the one the Hub made, not the source's.
    expect(new TextDecoder().decode(hub.readFile(destination, '.gitattributes') ?? new Uint8Array())).not.toContain('source-only');
    // After the info call resolved main to the sha, every tree and file read of the source names that sha.
    const reads = hub.requests.filter((request) => request.path.includes(`${SOURCE}/smoltrace-benchmark-v1/`) && /\/(tree|resolve)\//.test(request.path));
    expect(reads.length).toBeGreaterThanOrEqual(3);
    expect(reads.every((request) => request.path.includes(`/${sha}`))).toBe(true);
  });

  it('makes an existing destination a mirror of the source in one commit, deleting the files the source lacks', async () => {
    hub.seedDataset(`${SOURCE}/smoltrace-tasks`, { 'README.md': CARD, 'data/train.jsonl': ROWS });
    hub.seedDataset('alice/smoltrace-tasks', { 'README.md': '# old\n', 'data/old.jsonl': ROWS, '.gitattributes': GITATTRIBUTES });
    const commits = hub.repos.get('alice/smoltrace-tasks')!.commits.size;
    const [result] = await executeCopy(client, await planCopy(client, 'alice', { only: 'tasks' }), { private: true });
    expect(result).toMatchObject({ ok: true, deleted: ['data/old.jsonl'] });
    expect(hub.repos.get('alice/smoltrace-tasks')!.commits.size).toBe(commits + 1);
    expect(new TextDecoder().decode(hub.readFile('alice/smoltrace-tasks', 'README.md'))).toBe(CARD);
    expect(hub.readFile('alice/smoltrace-tasks', 'data/old.jsonl')).toBeUndefined();
    expect(hub.readFile('alice/smoltrace-tasks', '.gitattributes')).toBeDefined();
    // A new destination has nothing to delete.
    hub.store.repos.delete('alice/smoltrace-tasks');
    const [fresh] = await executeCopy(client, await planCopy(client, 'alice', { only: 'tasks' }), { private: true });
    expect(fresh!.ok).toBe(true);
    expect(fresh!.deleted).toBeUndefined();
  });

  it('reports a missing source as that dataset failing and copies the other; skips datasets that are already the user\'s', async () => {
    hub.seedDataset(`${SOURCE}/smoltrace-tasks`, { 'data/train.jsonl': ROWS });
    const seen: string[] = [];
    const results = await executeCopy(client, await planCopy(client, 'alice'), { private: true, onResult: (result) => seen.push(result.destination) });
    expect(seen).toEqual(['alice/smoltrace-benchmark-v1', 'alice/smoltrace-tasks']);
    expect(results[0]).toMatchObject({ ok: false, error: expect.stringMatching(/smoltrace-benchmark-v1.*not found/) });
    expect(results[1]).toMatchObject({ ok: true });
    const own = await planCopy(client, SOURCE);
    expect(own.every((entry) => entry.skip === 'already yours')).toBe(true);
    expect(await executeCopy(client, own, { private: true })).toEqual([]);
  });
});
