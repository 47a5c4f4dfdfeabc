import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HubClient, HubError, hubEndpoint } from '../../src/hub/client.js';
import { startHubServer, type HubServer } from '../helpers/hub-server.js';

const ALICE = 'hf_alice_token';
const BOB = 'hf_bob_token';

describe('HubClient against the loopback Hub', () => {
  let server: HubServer;
  let alice: HubClient;
  const fast = { tries: 3, baseDelayMs: 1 };

  beforeEach(async () => {
    server = await startHubServer({ users: { [ALICE]: 'alice', [BOB]: 'bob' }, listPageSize: 2 });
    alice = new HubClient({ hubUrl: server.url, token: ALICE, retry: fast });
  });
  afterEach(async () => {
    await server.close();
  });

  it('reads HF_ENDPOINT, defaulting to huggingface.co', () => {
    expect(hubEndpoint({})).toBe('https://huggingface.co');
    expect(hubEndpoint({ HF_ENDPOINT: 'http://127.0.0.1:9/' })).toBe('http://127.0.0.1:9');
    expect(() => new HubClient({ hubUrl: server.url, token: 'abc' })).toThrow(/hf_/);
  });

  it('whoami names the token user; a bad token is an auth error', async () => {
    expect(await alice.whoami()).toEqual({ name: 'alice', type: 'user' });
    const stranger = new HubClient({ hubUrl: server.url, token: 'hf_unknown', retry: fast });
    await expect(stranger.whoami()).rejects.toMatchObject({ kind: 'auth', status: 401 });
    await expect(new HubClient({ hubUrl: server.url }).whoami()).rejects.toMatchObject({ kind: 'auth' });
  });

  it('creates, uploads in one commit, lists, downloads and deletes', async () => {
    expect(await alice.createDatasetRepo('alice/evals', { private: true })).toEqual({
      repo: 'alice/evals',
      url: `${server.url}/datasets/alice/evals`,
      created: true,
    });
    expect((await alice.createDatasetRepo('alice/evals', { private: true })).created).toBe(false);
    expect(server.repos.get('alice/evals')?.private).toBe(true);

    const parquetBytes = new Uint8Array(2048).map((_, i) => i % 251);
    const before = server.repos.get('alice/evals')!.commits.size;
    const { commit } = await alice.uploadFiles(
      'alice/evals',
      [
        { path: 'data/train-00000-of-00001.parquet', content: parquetBytes },
        { path: 'README.md', content: '---\nlicense: apache-2.0\ntags: [x]\n---\n# Card\n' },
      ],
      'results',
    );
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
    expect(server.repos.get('alice/evals')!.commits.size).toBe(before + 1);
    // .parquet went through the LFS batch + PUT path
    expect(server.requests.some((request) => request.method === 'PUT' && request.path.startsWith('/lfs-upload/'))).toBe(true);

    const info = await alice.datasetInfo('alice/evals');
    expect(info).toMatchObject({ id: 'alice/evals', sha: commit, private: true, tags: ['x'] });
    expect(info.cardData).toMatchObject({ license: 'apache-2.0' });
    expect(info.createdAt).toBeInstanceOf(Date);

    expect((await alice.listFiles('alice/evals', commit!)).map((file) => file.path).sort()).toEqual([
      '.gitattributes',
      'README.md',
      'data/train-00000-of-00001.parquet',
    ]);
    expect(await alice.downloadFile('alice/evals', commit!, 'data/train-00000-of-00001.parquet')).toEqual(parquetBytes);
    expect(await alice.downloadFile('alice/evals', 'main', 'missing.txt')).toBeNull();

    await alice.deleteRepo('alice/evals');
    expect(server.repos.has('alice/evals')).toBe(false);
    await expect(alice.deleteRepo('alice/evals')).rejects.toMatchObject({ kind: 'not-found' });
  });

  it('lists an author with pagination; private repos only for their owner', async () => {
    for (const name of ['a', 'b', 'c', 'd', 'e']) server.seedDataset(`alice/${name}`, {}, { private: name === 'c' });
    server.seedDataset('bob/x', {});
    expect((await alice.listDatasets('alice')).map((entry) => entry.id)).toEqual(['alice/a', 'alice/b', 'alice/c', 'alice/d', 'alice/e']);
    const bob = new HubClient({ hubUrl: server.url, token: BOB, retry: fast });
    expect((await bob.listDatasets('alice')).map((entry) => entry.id)).toEqual(['alice/a', 'alice/b', 'alice/d', 'alice/e']);
    expect((await alice.listDatasets('alice', { search: 'd' })).map((entry) => entry.id)).toEqual(['alice/d']);
    expect((await alice.listDatasets('alice'))[0]!.createdAt).toBeInstanceOf(Date);
  });

  it('classifies private, missing, revision and gated errors', async () => {
    server.seedDataset('alice/secret', { 'a.txt': 'x' }, { private: true });
    server.seedDataset('alice/gated', { 'a.txt': 'x' }, { gated: 'manual' });
    const anonymous = new HubClient({ hubUrl: server.url, retry: fast });
    const bob = new HubClient({ hubUrl: server.url, token: BOB, retry: fast });
    await expect(anonymous.datasetInfo('alice/secret')).rejects.toMatchObject({ kind: 'auth', status: 401 });
    await expect(anonymous.datasetInfo('alice/secret')).rejects.toThrow(/no Hub token/);
    await expect(bob.datasetInfo('alice/secret')).rejects.toMatchObject({ kind: 'not-found', status: 404 });
    await expect(alice.datasetInfo('alice/secret', 'v9')).rejects.toMatchObject({ kind: 'revision-not-found' });
    await expect(alice.datasetInfo('alice/secret', 'v9')).rejects.toThrow(/revision 'v9' not found/);
    await expect(bob.downloadFile('alice/gated', 'main', 'a.txt')).rejects.toMatchObject({ kind: 'gated', status: 403 });
    await expect(anonymous.downloadFile('alice/gated', 'main', 'a.txt')).rejects.toThrow(/gated/);
    await expect(bob.createDatasetRepo('alice/new', { private: true })).rejects.toMatchObject({ kind: 'forbidden' });
    await expect(bob.uploadFiles('alice/gated', [{ path: 'b.txt', content: 'y' }], 't')).rejects.toMatchObject({ kind: 'forbidden' });
  });

  it('retries 5xx and network errors, then gives up after 3 tries', async () => {
    await alice.createDatasetRepo('alice/r', { private: false });
    server.fail({ method: 'POST', path: '/commit/', status: 503, times: 2 });
    await alice.uploadFiles('alice/r', [{ path: 'a.txt', content: 'a' }], 'first');
    expect(server.readFile('alice/r', 'a.txt')).toEqual(new TextEncoder().encode('a'));

    server.fail({ method: 'POST', path: '/preupload/', status: 'reset', times: 1 });
    await alice.uploadFiles('alice/r', [{ path: 'b.txt', content: 'b' }], 'second');
    expect(server.readFile('alice/r', 'b.txt')).toBeDefined();

    server.fail({ method: 'POST', path: '/commit/', status: 500, times: 3 });
    const error = await alice.uploadFiles('alice/r', [{ path: 'c.txt', content: 'c' }], 'third').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HubError);
    expect(error).toMatchObject({ kind: 'server', status: 500 });
    expect((error as Error).message).toMatch(/after 3 tries/);

    server.fail({ method: 'GET', path: '/api/datasets/alice/r', status: 400, times: 1 });
    await expect(alice.datasetInfo('alice/r')).rejects.toMatchObject({ kind: 'other', status: 400 });
  });

  it('the fake serves byte ranges and paginates trees with a Link header', async () => {
    await server.close();
    server = await startHubServer({ users: { [ALICE]: 'alice' }, treePageSize: 2 });
    alice = new HubClient({ hubUrl: server.url, token: ALICE, retry: fast });
    const sha = server.seedDataset('alice/files', { 'a.txt': '0123456789', 'd/b.txt': 'b', 'd/e/c.txt': 'c' });
    const range = await fetch(`${server.url}/datasets/alice/files/resolve/${sha}/a.txt`, { headers: { Range: 'bytes=2-5' } });
    expect(range.status).toBe(206);
    expect(range.headers.get('content-range')).toBe('bytes 2-5/10');
    expect(await range.text()).toBe('2345');
    const first = await fetch(`${server.url}/api/datasets/alice/files/tree/main?recursive=true`);
    expect(first.headers.get('link')).toMatch(/cursor=2>; rel="next"/);
    expect((await alice.listFiles('alice/files')).map((file) => file.path)).toEqual(['.gitattributes', 'a.txt', 'd/b.txt', 'd/e/c.txt']);
    expect((await alice.listFiles('alice/files', 'main', 'd')).map((file) => file.path)).toEqual(['d/b.txt', 'd/e/c.txt']);
    const info = await (await fetch(`${server.url}/api/datasets/alice/files/revision/${sha}`)).json();
    expect(info).toMatchObject({ id: 'alice/files', sha, private: false, siblings: [{ rfilename: '.gitattributes' }, { rfilename: 'a.txt' }, { rfilename: 'd/b.txt' }, { rfilename: 'd/e/c.txt' }] });
  });

  it('reports an unreachable Hub as a network error', async () => {
    const url = server.url;
    await server.close();
    const offline = new HubClient({ hubUrl: url, token: ALICE, retry: { tries: 2, baseDelayMs: 1 } });
    await expect(offline.datasetInfo('alice/x')).rejects.toMatchObject({ kind: 'network' });
    server = await startHubServer({ users: {} });
  });
});
