import { existsSync } from 'node:fs';
// ensureModelSnapshot against the loopback Hub: the Hugging Face cache layout it writes (refs,
// blobs named like huggingface_hub names them, relative snapshot symlinks), progress events, the
// cache used without the Hub, offline mode and an unreachable Hub, full-sha revisions, and errors
// raised before anything is downloaded. Interrupted downloads: model-snapshot-failures.test.ts.
import { lstat, mkdtemp, readFile, readdir, readlink, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError, StartupError } from '../../src/errors.js';
import { HubClient, HubError } from '../../src/hub/client.js';
import { ensureModelSnapshot, filesUnder, type DownloadProgress, type ModelSnapshotRequest } from '../../src/hub/model-snapshot.js';
import { chooseDtype, transformersFiles, type Dtype } from '../../src/models/transformers-files.js';
import { startHubServer, type HubServer } from '../helpers/hub-server.js';
import { gitBlobOid, sha256Hex, toBytes } from '../helpers/hub-store.js';
import { closedPort, MODEL_FILES, Q4_SELECTION, repoFolder, selector } from '../helpers/model-snapshot-fixtures.js';

const TOKEN = 'hf_alice_token';
const REPO = 'org/tiny-chat';

let server: HubServer;
let cacheDir: string;

beforeEach(async () => {
  server = await startHubServer({ users: { [TOKEN]: 'alice' } });
  cacheDir = await mkdtemp(join(tmpdir(), 'agent-eval-hub-cache-'));
});

afterEach(async () => {
  await server.close();
  await rm(cacheDir, { recursive: true, force: true });
});

function client(options: { token?: string; tries?: number } = {}): HubClient {
  return new HubClient({ hubUrl: server.url, ...(options.token && { token: options.token }), retry: { tries: options.tries ?? 3, baseDelayMs: 1 } });
}

function request(overrides: Partial<ModelSnapshotRequest> & { dtype?: Dtype } = {}): ModelSnapshotRequest {
  const { dtype = 'q4', ...rest } = overrides;
  return { repo: REPO, cacheDir, offline: false, select: selector(dtype, REPO), client: async () => client(), ...rest };
}

const noClient = async (): Promise<HubClient> => {
  throw new Error('the Hub must not be asked');
};

const resolveRequests = () => server.requests.filter((entry) => entry.path.includes('/resolve/'));

describe('ensureModelSnapshot: first download', () => {
  it('downloads only the selected files into refs/, blobs/ and snapshots/<sha>/ as huggingface_hub does', async () => {
    const sha = server.seedModel(REPO, MODEL_FILES);
    const snapshot = await ensureModelSnapshot(request());
    const repoDir = repoFolder(cacheDir, REPO);
    expect(snapshot.sha).toBe(sha);
    expect(snapshot.folder).toBe(join(repoDir, 'snapshots', sha));
    expect(await readFile(join(repoDir, 'refs', 'main'), 'utf8')).toBe(sha);
    expect((await filesUnder(snapshot.folder)).sort()).toEqual([...Q4_SELECTION].sort());

    const expectedBlobs = new Set<string>();
    for (const path of Q4_SELECTION) {
      const bytes = toBytes(MODEL_FILES[path]!);
      // LFS files (.onnx, .onnx_data by the seeded .gitattributes) by their sha256, others by git blob id.
      const etag = /\.onnx(_data)?$/.test(path) ? sha256Hex(bytes) : gitBlobOid(bytes);
      expectedBlobs.add(etag);
      const pointer = join(snapshot.folder, path);
      expect((await lstat(pointer)).isSymbolicLink()).toBe(true);
      const target = await readlink(pointer);
      expect(isAbsolute(target)).toBe(false);
      expect(target).toBe(`${'../'.repeat(path.split('/').length + 1)}blobs/${etag}`);
      expect(await realpath(pointer)).toBe(await realpath(join(repoDir, 'blobs', etag)));
      // Compared by digest: a deep equality of a 300 kB array takes seconds.
      expect(sha256Hex(await readFile(pointer))).toBe(sha256Hex(bytes));
    }
    expect(new Set(await readdir(join(repoDir, 'blobs')))).toEqual(expectedBlobs);
    expect(resolveRequests().map((entry) => entry.path.split(`/resolve/${sha}/`)[1]).sort()).toEqual([...Q4_SELECTION].sort());
    const selectedBytes = Q4_SELECTION.reduce((sum, path) => sum + toBytes(MODEL_FILES[path]!).byteLength, 0);
    expect(snapshot.downloadedBytes).toBe(selectedBytes);
  });

  it('reports start (files, total), monotonically growing bytes up to the total, then done', async () => {
    server.seedModel(REPO, MODEL_FILES);
    const events: DownloadProgress[] = [];
    const snapshot = await ensureModelSnapshot(request({ onProgress: (event) => events.push(event) }));
    const total = Q4_SELECTION.reduce((sum, path) => sum + toBytes(MODEL_FILES[path]!).byteLength, 0);

    const start = events[0];
    expect(start).toMatchObject({ phase: 'start', repo: REPO, totalBytes: total });
    if (start?.phase !== 'start') throw new Error('no start event');
    expect(new Map(start.files.map((file) => [file.path, file.size]))).toEqual(
      new Map(Q4_SELECTION.map((path) => [path, toBytes(MODEL_FILES[path]!).byteLength])),
    );
    expect(events.at(-1)).toEqual({ phase: 'done', downloadedBytes: total });
    const bytes = events.slice(1, -1);
    expect(bytes.every((event) => event.phase === 'bytes' && event.totalBytes === total)).toBe(true);
    const loaded = bytes.map((event) => (event.phase === 'bytes' ? event.loadedBytes : -1));
    for (let i = 1; i < loaded.length; i++) expect(loaded[i]).toBeGreaterThan(loaded[i - 1]!);
    expect(loaded.at(-1)).toBe(total);
    // The 300 kB data file arrives in several chunks.
    expect(bytes.filter((event) => event.phase === 'bytes' && event.path === 'onnx/model_q4.onnx_data').length).toBeGreaterThan(1);
    expect(snapshot.downloadedBytes).toBe(total);
  });
});

describe('ensureModelSnapshot: the cache', () => {
  it('uses a complete cached copy without making a client or any request', async () => {
    const sha = server.seedModel(REPO, MODEL_FILES);
    const first = await ensureModelSnapshot(request());
    const before = server.requests.length;
    const events: DownloadProgress[] = [];
    const second = await ensureModelSnapshot(request({ client: noClient, onProgress: (event) => events.push(event) }));
    expect(second).toEqual({ folder: first.folder, sha, downloadedBytes: 0 });
    expect(server.requests.length).toBe(before);
    expect(events).toEqual([]);
  });

  it('offline: the cached copy works, and without one the error says to connect once or give --model-path', async () => {
    server.seedModel(REPO, MODEL_FILES);
    const first = await ensureModelSnapshot(request());
    const before = server.requests.length;
    expect(await ensureModelSnapshot(request({ offline: true, client: noClient }))).toMatchObject({ folder: first.folder, downloadedBytes: 0 });

    const emptyCache = await mkdtemp(join(tmpdir(), 'agent-eval-hub-cache-'));
    try {
      const error = await ensureModelSnapshot(request({ cacheDir: emptyCache, offline: true, client: noClient })).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StartupError);
      const message = (error as Error).message;
      expect(message).toContain(`model ${REPO}@main: offline mode`);
      expect(message).toContain(emptyCache);
      expect(message).toMatch(/connect to the network once to download it, or give --model-path <folder>/);
      expect(await readdir(emptyCache)).toEqual([]);
    } finally {
      await rm(emptyCache, { recursive: true, force: true });
    }
    expect(server.requests.length).toBe(before);
  });

  it('offline with a cached copy of another dtype is the offline error, not a download', async () => {
    server.seedModel(REPO, MODEL_FILES);
    await ensureModelSnapshot(request({ dtype: 'q4' }));
    await expect(ensureModelSnapshot(request({ dtype: 'fp16', offline: true, client: noClient }))).rejects.toThrow(/offline mode.*no complete copy/);
  });

  it('dtype auto (listFirst) asks the Hub what the cached commit publishes, and falls back to the cache when unreachable', async () => {
    const sha = server.seedModel(REPO, MODEL_FILES);
    await ensureModelSnapshot(request({ dtype: 'q4' }));
    // Only q4 is cached, but the repo publishes fp32: auto means fp32, so it is fetched at the cached commit.
    server.seedModel(REPO, { 'config.json': '{"model_type": "moved on"}' });
    const auto = await ensureModelSnapshot(request({ dtype: 'auto', listFirst: true }));
    expect(auto.sha).toBe(sha);
    expect(existsSync(join(auto.folder, 'onnx', 'model.onnx'))).toBe(true);
    expect(auto.downloadedBytes).toBe(4000 + 5000);
    const unreachable = new HubClient({ hubUrl: `http://127.0.0.1:${await closedPort()}`, retry: { tries: 1 } });
    const fallback = await ensureModelSnapshot(request({ dtype: 'auto', listFirst: true, client: async () => unreachable }));
    expect(fallback).toEqual({ folder: auto.folder, sha, downloadedBytes: 0 });
  });

  it('a cached main is used as is, even after a new commit on the Hub', async () => {
    const firstSha = server.seedModel(REPO, MODEL_FILES);
    await ensureModelSnapshot(request());
    server.seedModel(REPO, { 'config.json': '{"model_type": "changed"}' });
    expect(await ensureModelSnapshot(request({ client: noClient }))).toMatchObject({ sha: firstSha, downloadedBytes: 0 });
  });

  it('another revision downloads only the changed files and reuses the cached blobs', async () => {
    server.seedModel(REPO, MODEL_FILES);
    const first = await ensureModelSnapshot(request());
    const config = '{"model_type": "qwen2", "vocab_size": 64}';
    const secondSha = server.seedModel(REPO, { 'config.json': config, 'README.md': '# edited\n' }, { tag: 'v2' });
    const before = resolveRequests().length;
    const events: DownloadProgress[] = [];
    const second = await ensureModelSnapshot(request({ revision: 'v2', onProgress: (event) => events.push(event) }));
    expect(second.sha).toBe(secondSha);
    expect(second.folder).toBe(join(repoFolder(cacheDir, REPO), 'snapshots', secondSha));
    expect(await readFile(join(repoFolder(cacheDir, REPO), 'refs', 'v2'), 'utf8')).toBe(secondSha);
    expect(await readFile(join(second.folder, 'config.json'), 'utf8')).toBe(config);
    expect((await filesUnder(second.folder)).sort()).toEqual([...Q4_SELECTION].sort());
    expect(resolveRequests().slice(before).map((entry) => entry.path)).toEqual([`/${REPO}/resolve/${secondSha}/config.json`]);
    expect(second.downloadedBytes).toBe(config.length);
    // Progress announces what is fetched, not the blobs the cache already holds.
    expect(events[0]).toEqual({ phase: 'start', repo: REPO, files: [{ path: 'config.json', size: config.length }], totalBytes: config.length });
    expect(events.at(-1)).toEqual({ phase: 'done', downloadedBytes: config.length });
    // Both snapshots share the weight blob; the old one keeps the old config.
    expect(await realpath(join(second.folder, 'onnx/model_q4.onnx_data'))).toBe(await realpath(join(first.folder, 'onnx/model_q4.onnx_data')));
    expect(await readFile(join(first.folder, 'config.json'), 'utf8')).toBe(MODEL_FILES['config.json']);
  });

  it('two selected files with the same bytes share one blob, fetched and counted once', async () => {
    server.seedModel(REPO, { ...MODEL_FILES, 'tokenizer_config.json': '{}', 'generation_config.json': '{}' });
    const events: DownloadProgress[] = [];
    const snapshot = await ensureModelSnapshot(request({ onProgress: (event) => events.push(event) }));
    const blob = join(repoFolder(cacheDir, REPO), 'blobs', gitBlobOid(toBytes('{}')));
    expect(await realpath(join(snapshot.folder, 'tokenizer_config.json'))).toBe(await realpath(blob));
    expect(await realpath(join(snapshot.folder, 'generation_config.json'))).toBe(await realpath(blob));
    const start = events[0];
    if (start?.phase !== 'start') throw new Error('no start event');
    expect(start.files.filter((file) => file.path.endsWith('config.json') && file.path !== 'config.json')).toHaveLength(1);
    expect(events.at(-1)).toEqual({ phase: 'done', downloadedBytes: start.totalBytes });
    expect(snapshot.downloadedBytes).toBe(start.totalBytes);
  });

  it('uses a revision given as a full sha as is: no revision lookup, no ref written', async () => {
    const oldSha = server.seedModel(REPO, MODEL_FILES);
    server.seedModel(REPO, { 'config.json': '{"model_type": "changed"}' });
    const snapshot = await ensureModelSnapshot(request({ revision: oldSha }));
    expect(snapshot.sha).toBe(oldSha);
    expect(snapshot.folder).toBe(join(repoFolder(cacheDir, REPO), 'snapshots', oldSha));
    expect(await readFile(join(snapshot.folder, 'config.json'), 'utf8')).toBe(MODEL_FILES['config.json']);
    expect(server.requests.some((entry) => /^\/api\/models\/.*\/revision\//.test(entry.path) || entry.path === `/api/models/${REPO}`)).toBe(false);
    expect(server.requests.some((entry) => entry.path.startsWith(`/api/models/${REPO}/tree/${oldSha}`))).toBe(true);
    await expect(readdir(join(repoFolder(cacheDir, REPO), 'refs'))).rejects.toMatchObject({ code: 'ENOENT' });
    // Cached by sha from now on, with no Hub.
    expect(await ensureModelSnapshot(request({ revision: oldSha, client: noClient, offline: true }))).toMatchObject({ sha: oldSha, downloadedBytes: 0 });
  });
});

describe('ensureModelSnapshot: errors before any download', () => {
  it('an unreachable Hub is a one-line StartupError saying so, pointing to the cache and --model-path', async () => {
    const port = await closedPort();
    const unreachable = async () => new HubClient({ hubUrl: `http://127.0.0.1:${port}`, retry: { tries: 1, baseDelayMs: 1 } });
    const error = await ensureModelSnapshot(request({ client: unreachable })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StartupError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toMatch(new RegExp(`^model ${REPO}@main: the Hub is unreachable \\(.*127\\.0\\.0\\.1:${port}`));
    expect(message).toMatch(/connect to the network once to download it, or give --model-path <folder>/);
  });

  it("a missing dtype is the selector's InputError, raised before anything is downloaded", async () => {
    server.seedModel(REPO, MODEL_FILES);
    const error = await ensureModelSnapshot(request({ dtype: 'q8' })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(`--dtype q8: model ${REPO} has no onnx/model_quantized.onnx; it publishes fp32, fp16, q4`);
    expect(resolveRequests()).toEqual([]);
    expect(await filesUnder(cacheDir)).toEqual([]);
  });

  it('a repo without the tokenizer files is an InputError naming them', async () => {
    server.seedModel(REPO, { 'config.json': '{}', 'onnx/model.onnx': new Uint8Array(16) });
    const select = (paths: readonly string[]) => transformersFiles(paths, chooseDtype(paths, 'auto', REPO), REPO);
    await expect(ensureModelSnapshot(request({ select }))).rejects.toThrow(/tokenizer\.json, tokenizer_config\.json missing/);
    expect(resolveRequests()).toEqual([]);
  });

  it('a private repo needs a token: without one an auth HubError, with the owner\'s token a download', async () => {
    server.seedModel('alice/private-chat', MODEL_FILES, { private: true });
    const anonymous = ensureModelSnapshot(request({ repo: 'alice/private-chat', select: selector('q4', 'alice/private-chat') }));
    await expect(anonymous).rejects.toBeInstanceOf(HubError);
    await expect(anonymous).rejects.toMatchObject({ kind: 'auth', status: 401 });
    await expect(anonymous).rejects.toThrow(/no Hub token was given.*HF_TOKEN/);
    expect(resolveRequests()).toEqual([]);
    const owned = await ensureModelSnapshot(
      request({ repo: 'alice/private-chat', select: selector('q4', 'alice/private-chat'), client: async () => client({ token: TOKEN }) }),
    );
    expect((await filesUnder(owned.folder)).sort()).toEqual([...Q4_SELECTION].sort());
  });

  it('a gated repo without access is a gated HubError and leaves no snapshot file', async () => {
    server.seedModel('meta/gated-chat', MODEL_FILES, { gated: 'manual' });
    const attempt = ensureModelSnapshot(request({ repo: 'meta/gated-chat', select: selector('q4', 'meta/gated-chat') }));
    await expect(attempt).rejects.toMatchObject({ kind: 'gated' });
    await expect(attempt).rejects.toThrow(/gated; request access at .*\/meta\/gated-chat/);
    const repoDir = repoFolder(cacheDir, 'meta/gated-chat');
    expect(await filesUnder(join(repoDir, 'snapshots'))).toEqual([]);
    await expect(readdir(join(repoDir, 'refs'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
