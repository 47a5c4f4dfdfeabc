// ensureModelSnapshot when a download breaks (connection reset, a body that errors or ends early,
// an abort): no `.incomplete` blob and no snapshot link is left behind, and the next call finishes
// the job. Also the cache-location and offline settings read from the environment, and filesUnder.
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StartupError } from '../../src/errors.js';
import { HubClient } from '../../src/hub/client.js';
import { ensureModelSnapshot, filesUnder, hubCacheDirectory, hubOffline, type ModelSnapshotRequest } from '../../src/hub/model-snapshot.js';
import { startHubServer, type HubServer } from '../helpers/hub-server.js';
import { sha256Hex, toBytes } from '../helpers/hub-store.js';
import { MODEL_FILES, Q4_SELECTION, repoFolder, selector } from '../helpers/model-snapshot-fixtures.js';

const REPO = 'org/tiny-chat';
const DATA = 'onnx/model_q4.onnx_data';

let server: HubServer;
let cacheDir: string;
let sha: string;

beforeEach(async () => {
  server = await startHubServer({ users: {} });
  cacheDir = await mkdtemp(join(tmpdir(), 'agent-eval-hub-cache-'));
  sha = server.seedModel(REPO, MODEL_FILES);
});

afterEach(async () => {
  await server.close();
  await rm(cacheDir, { recursive: true, force: true });
});

function client(options: { tries?: number; fetch?: typeof fetch } = {}): HubClient {
  return new HubClient({ hubUrl: server.url, retry: { tries: options.tries ?? 1, baseDelayMs: 1 }, ...(options.fetch && { fetch: options.fetch }) });
}

function request(overrides: Partial<ModelSnapshotRequest> = {}): ModelSnapshotRequest {
  return { repo: REPO, cacheDir, offline: false, select: selector('q4', REPO), client: async () => client(), ...overrides };
}

/** A fetch whose response for `path` sends its first `after` bytes, then errors or ends. */
function breakingFetch(path: string, after: number, ending: 'error' | 'end'): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const url = input instanceof Request ? input.url : String(input);
    if (!url.endsWith(`/${path}`)) return response;
    const bytes = new Uint8Array(await response.arrayBuffer());
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (!sent) {
          sent = true;
          return controller.enqueue(bytes.subarray(0, after));
        }
        // As on a socket, the break comes after the bytes before it have been consumed.
        await new Promise((resolve) => setTimeout(resolve, 20));
        if (ending === 'error') controller.error(new Error('socket hang up'));
        else controller.close();
      },
    });
    return new Response(body, { status: response.status });
  };
}

/** What a broken download must not leave: partial blobs, or links to them. */
async function expectNothingPartial(): Promise<void> {
  const repoDir = repoFolder(cacheDir, REPO);
  const blobs = await readdir(join(repoDir, 'blobs')).catch(() => []);
  expect(blobs.filter((name) => name.endsWith('.incomplete'))).toEqual([]);
  expect(blobs).not.toContain(sha256Hex(toBytes(MODEL_FILES[DATA]!)));
  expect(await filesUnder(join(repoDir, 'snapshots', sha))).not.toContain(DATA);
  await expect(readdir(join(repoDir, 'refs'))).rejects.toMatchObject({ code: 'ENOENT' });
}

describe('ensureModelSnapshot: broken downloads', () => {
  it('a connection reset is a one-line StartupError leaving nothing partial; the next call succeeds', async () => {
    server.fail({ path: 'resolve', status: 'reset' });
    const error = await ensureModelSnapshot(request()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StartupError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toMatch(new RegExp(`^model ${REPO}@main: the download failed \\(Hub download ${REPO}/config\\.json: cannot reach the Hub`));
    expect(message).toContain('--model-path');
    await expectNothingPartial();
    expect(await filesUnder(join(repoFolder(cacheDir, REPO), 'snapshots'))).toEqual([]);

    const snapshot = await ensureModelSnapshot(request());
    expect(snapshot.sha).toBe(sha);
    expect((await filesUnder(snapshot.folder)).sort()).toEqual([...Q4_SELECTION].sort());
  });

  it('with retries, a single reset is retried inside the call', async () => {
    server.fail({ path: DATA, status: 'reset' });
    const snapshot = await ensureModelSnapshot(request({ client: async () => client({ tries: 3 }) }));
    expect((await filesUnder(snapshot.folder)).sort()).toEqual([...Q4_SELECTION].sort());
    expect(server.requests.filter((entry) => entry.path.endsWith(DATA)).length).toBe(2);
  });

  it('a body that breaks off mid-file removes the partial blob; the next call fetches only what is missing', async () => {
    const broken = request({ client: async () => client({ fetch: breakingFetch(DATA, 1000, 'error') }) });
    const error = await ensureModelSnapshot(broken).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StartupError);
    expect((error as Error).message).toBe(`model ${REPO}: the download of ${DATA} broke off after 1000 bytes (socket hang up); run again to retry`);
    await expectNothingPartial();
    // Files finished before the break stay linked and are not downloaded again.
    const linked = await filesUnder(join(repoFolder(cacheDir, REPO), 'snapshots', sha));
    expect(linked.length).toBeGreaterThan(0);

    const before = server.requests.length;
    const snapshot = await ensureModelSnapshot(request());
    expect((await filesUnder(snapshot.folder)).sort()).toEqual([...Q4_SELECTION].sort());
    const fetched = server.requests.slice(before).filter((entry) => entry.path.includes('/resolve/'));
    expect(fetched.map((entry) => entry.path.split(`/resolve/${sha}/`)[1]).sort()).toEqual(Q4_SELECTION.filter((path) => !linked.includes(path)).sort());
  });

  it('a body that ends early is an incomplete download, not a short blob', async () => {
    const short = request({ client: async () => client({ fetch: breakingFetch(DATA, 1000, 'end') }) });
    await expect(ensureModelSnapshot(short)).rejects.toThrow(`model ${REPO}: ${DATA} arrived incomplete (1000 of 300000 bytes); run again to retry`);
    await expectNothingPartial();
    const snapshot = await ensureModelSnapshot(request());
    expect((await filesUnder(snapshot.folder)).sort()).toEqual([...Q4_SELECTION].sort());
  });

  it('an abort during a download rejects with the abort and leaves nothing partial', async () => {
    const controller = new AbortController();
    const attempt = ensureModelSnapshot(
      request({
        signal: controller.signal,
        onProgress: (event) => {
          if (event.phase === 'bytes' && event.path === DATA) controller.abort();
        },
      }),
    );
    await expect(attempt).rejects.toMatchObject({ name: 'AbortError' });
    await expectNothingPartial();
  });
});

describe('hubCacheDirectory', () => {
  it('prefers HF_HUB_CACHE, then HF_HOME/hub, then XDG_CACHE_HOME/huggingface/hub, then ~/.cache/huggingface/hub', () => {
    const all = { HF_HUB_CACHE: '/cache/hub', HF_HOME: '/home/hf', XDG_CACHE_HOME: '/xdg' };
    expect(hubCacheDirectory(all)).toBe('/cache/hub');
    expect(hubCacheDirectory({ ...all, HF_HUB_CACHE: undefined })).toBe(join('/home/hf', 'hub'));
    expect(hubCacheDirectory({ XDG_CACHE_HOME: '/xdg' })).toBe(join('/xdg', 'huggingface', 'hub'));
    expect(hubCacheDirectory({})).toBe(join(homedir(), '.cache', 'huggingface', 'hub'));
  });

  it('treats empty or blank values as unset and trims the others', () => {
    expect(hubCacheDirectory({ HF_HUB_CACHE: '  ', HF_HOME: '', XDG_CACHE_HOME: ' /xdg ' })).toBe(join('/xdg', 'huggingface', 'hub'));
    expect(hubCacheDirectory({ HF_HUB_CACHE: ' /cache/hub\n' })).toBe('/cache/hub');
    expect(hubCacheDirectory({ HF_HOME: ' /home/hf ', XDG_CACHE_HOME: '/xdg' })).toBe(join('/home/hf', 'hub'));
  });
});

describe('hubOffline', () => {
  it('is on for 1, true, yes and on in any case, with spaces around', () => {
    for (const value of ['1', 'true', 'TRUE', 'True', 'yes', 'YES', 'on', ' On ']) expect(hubOffline({ HF_HUB_OFFLINE: value })).toBe(true);
  });

  it('is off when unset or for any other value', () => {
    expect(hubOffline({})).toBe(false);
    for (const value of ['', '0', 'false', 'no', 'off', '2', 'truthy', 'y']) expect(hubOffline({ HF_HUB_OFFLINE: value })).toBe(false);
  });
});

describe('filesUnder', () => {
  it('lists files and symlinks to files recursively with / separators, leaving out dangling links', async () => {
    const folder = join(cacheDir, 'listing');
    await mkdir(join(folder, 'onnx'), { recursive: true });
    await mkdir(join(cacheDir, 'blobs'), { recursive: true });
    await writeFile(join(cacheDir, 'blobs', 'abc'), 'bytes');
    await writeFile(join(folder, 'config.json'), '{}');
    await symlink(join('..', '..', 'blobs', 'abc'), join(folder, 'onnx', 'model.onnx'));
    await symlink(join('..', 'blobs', 'gone'), join(folder, 'dangling.json'));
    await mkdir(join(folder, 'empty'));
    expect((await filesUnder(folder)).sort()).toEqual(['config.json', 'onnx/model.onnx']);
  });

  it('is empty for a folder that does not exist', async () => {
    expect(await filesUnder(join(cacheDir, 'missing'))).toEqual([]);
  });
});
