import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { HubClient } from '../../src/hub/client.js';
import { isHubDatasetId, loadHubTasks } from '../../src/hub/tasks.js';
import { startHubServer, type HubServer } from '../helpers/hub-server.js';

const ALICE = 'hf_alice';
const BOB = 'hf_bob';

/** A Parquet file as `datasets.push_to_hub` writes it: native LIST<string> and INT64 columns. */
function datasetsParquet(rows: { id: string; prompt: string; difficulty: string; agent_type: string; expected_keywords: string[] | null; expected_tool_calls: number | null }[]) {
  const schema = [
    { name: 'root', num_children: 6 },
    { name: 'id', type: 'BYTE_ARRAY' as const, converted_type: 'UTF8' as const, repetition_type: 'OPTIONAL' as const },
    { name: 'prompt', type: 'BYTE_ARRAY' as const, converted_type: 'UTF8' as const, repetition_type: 'OPTIONAL' as const },
    { name: 'difficulty', type: 'BYTE_ARRAY' as const, converted_type: 'UTF8' as const, repetition_type: 'OPTIONAL' as const },
    { name: 'agent_type', type: 'BYTE_ARRAY' as const, converted_type: 'UTF8' as const, repetition_type: 'OPTIONAL' as const },
    { name: 'expected_keywords', repetition_type: 'OPTIONAL' as const, converted_type: 'LIST' as const, num_children: 1 },
    { name: 'list', repetition_type: 'REPEATED' as const, num_children: 1 },
    { name: 'element', type: 'BYTE_ARRAY' as const, converted_type: 'UTF8' as const, repetition_type: 'OPTIONAL' as const },
    { name: 'expected_tool_calls', type: 'INT64' as const, repetition_type: 'OPTIONAL' as const },
  ];
  const column = <K extends keyof (typeof rows)[number]>(name: K) => rows.map((row) => row[name]);
  return new Uint8Array(
    parquetWriteBuffer({
      schema,
      columnData: [
        { name: 'id', data: column('id') },
        { name: 'prompt', data: column('prompt') },
        { name: 'difficulty', data: column('difficulty') },
        { name: 'agent_type', data: column('agent_type') },
        { name: 'expected_keywords', data: column('expected_keywords') },
        { name: 'expected_tool_calls', data: rows.map((row) => (row.expected_tool_calls === null ? null : BigInt(row.expected_tool_calls))) },
      ],
    }),
  );
}

const task = (id: string, extra: Record<string, unknown> = {}) => ({ id, prompt: `Prompt ${id}`, difficulty: 'easy', agent_type: 'tool', ...extra });
const jsonl = (...rows: object[]) => rows.map((row) => JSON.stringify(row)).join('\n') + '\n';
const CARD = '---\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n    path: data/train-*\n  - split: test\n    path: data/test-*\n---\n# Tasks\n';

describe('loadHubTasks', () => {
  let server: HubServer;
  let cacheDir: string;
  let alice: HubClient;

  beforeEach(async () => {
    server = await startHubServer({ users: { [ALICE]: 'alice', [BOB]: 'bob' } });
    alice = new HubClient({ hubUrl: server.url, token: ALICE, retry: { tries: 1 } });
    cacheDir = await mkdtemp(join(tmpdir(), 'hub-tasks-'));
  });
  afterEach(async () => {
    await server.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('recognises Hub dataset ids', () => {
    expect(isHubDatasetId('kshitijthakkar/smoltrace-tasks')).toBe(true);
    expect(isHubDatasetId('tasks/builtin.jsonl')).toBe(false);
    expect(isHubDatasetId('./a/b')).toBe(false);
  });

  it('loads a Parquet layout (push_to_hub style) by the card configs and records the sha', async () => {
    const sha = server.seedDataset('alice/tasks', {
      'README.md': CARD,
      'data/train-00000-of-00001.parquet': datasetsParquet([
        { ...task('t1'), expected_keywords: ['18', 'clear'], expected_tool_calls: 1 },
        { ...task('t2'), expected_keywords: null, expected_tool_calls: null },
      ]),
      'data/test-00000-of-00001.parquet': datasetsParquet([{ ...task('x1'), expected_keywords: [], expected_tool_calls: 2 }]),
    });
    const { tasks, source } = await loadHubTasks({ client: alice, dataset: 'alice/tasks', split: 'train', cacheDir });
    expect(source).toMatchObject({ dataset: 'alice/tasks', split: 'train', revision: 'main', sha, files: ['data/train-00000-of-00001.parquet'], fromCache: false });
    expect(tasks.map((item) => [item.id, item.expected_keywords, item.expected_tool_calls])).toEqual([
      ['t1', ['18', 'clear'], 1],
      ['t2', [], null],
    ]);
    const test = await loadHubTasks({ client: alice, dataset: 'alice/tasks', split: 'test', cacheDir });
    expect(test.tasks.map((item) => item.id)).toEqual(['x1']);
  });

  it('loads JSONL and JSON layouts without a card', async () => {
    server.seedDataset('alice/jsonl', { 'train.jsonl': jsonl(task('a')), 'validation.jsonl': jsonl(task('b'), task('c')) });
    const validation = await loadHubTasks({ client: alice, dataset: 'alice/jsonl', split: 'validation', cacheDir });
    expect(validation.tasks.map((item) => item.id)).toEqual(['b', 'c']);
    server.seedDataset('alice/json', { 'tasks.json': JSON.stringify({ data: [task('j1')] }) });
    expect((await loadHubTasks({ client: alice, dataset: 'alice/json', cacheDir })).tasks.map((item) => item.id)).toEqual(['j1']);
  });

  it('pins a revision (tag or sha), and a pinned sha loads offline from the cache', async () => {
    const v1 = server.seedDataset('alice/pinned', { 'train.jsonl': jsonl(task('old')) }, { tag: 'v1' });
    const v2 = server.commitFiles('alice/pinned', { 'train.jsonl': jsonl(task('new')) });
    const byTag = await loadHubTasks({ client: alice, dataset: 'alice/pinned', revision: 'v1', cacheDir });
    expect(byTag.source.sha).toBe(v1);
    expect(byTag.tasks.map((item) => item.id)).toEqual(['old']);
    const latest = await loadHubTasks({ client: alice, dataset: 'alice/pinned', cacheDir });
    expect(latest.source.sha).toBe(v2);
    expect(latest.tasks.map((item) => item.id)).toEqual(['new']);

    await server.close();
    const offline = await loadHubTasks({ client: alice, dataset: 'alice/pinned', revision: v1, cacheDir });
    expect(offline.source).toMatchObject({ sha: v1, fromCache: true, notices: [] });
    expect(offline.tasks.map((item) => item.id)).toEqual(['old']);
    const lastKnown = await loadHubTasks({ client: alice, dataset: 'alice/pinned', revision: 'v1', cacheDir });
    expect(lastKnown.source.sha).toBe(v1);
    expect(lastKnown.source.notices[0]).toMatch(/unreachable/);
    await expect(loadHubTasks({ client: alice, dataset: 'alice/pinned', revision: 'v3', cacheDir })).rejects.toMatchObject({ kind: 'network' });
    server = await startHubServer({ users: {} });
  });

  it('a missing split is an InputError listing the splits found', async () => {
    server.seedDataset('alice/tasks', { 'README.md': CARD, 'data/train-00000-of-00001.parquet': datasetsParquet([{ ...task('t1'), expected_keywords: null, expected_tool_calls: null }]) });
    const error = await loadHubTasks({ client: alice, dataset: 'alice/tasks', split: 'dev', cacheDir }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/no split 'dev' \(splits found: train, test\)/);
    server.seedDataset('alice/empty', { 'notes.txt': 'x' });
    await expect(loadHubTasks({ client: alice, dataset: 'alice/empty', cacheDir })).rejects.toThrow(/no Parquet, JSON or JSON Lines data files/);
  });

  it('private, gated, missing repos and revisions are clear InputErrors', async () => {
    server.seedDataset('alice/private', { 'train.jsonl': jsonl(task('p')) }, { private: true });
    server.seedDataset('alice/gated', { 'train.jsonl': jsonl(task('g')) }, { gated: 'manual' });
    const anonymous = new HubClient({ hubUrl: server.url, retry: { tries: 1 } });
    const bob = new HubClient({ hubUrl: server.url, token: BOB, retry: { tries: 1 } });
    const load = (client: HubClient, dataset: string, revision?: string) => loadHubTasks({ client, dataset, cacheDir, ...(revision && { revision }) });
    await expect(load(anonymous, 'alice/private')).rejects.toThrow(InputError);
    await expect(load(anonymous, 'alice/private')).rejects.toThrow(/private and no Hub token was given/);
    await expect(load(bob, 'alice/private')).rejects.toThrow(/not found .*no access/);
    await expect(load(bob, 'alice/gated')).rejects.toThrow(/gated; request access/);
    await expect(load(alice, 'alice/private', 'nope')).rejects.toThrow(/revision 'nope' not found/);
    expect((await load(alice, 'alice/private')).tasks.map((item) => item.id)).toEqual(['p']);
  });

  it('validates rows with the task schema, naming the file and row', async () => {
    server.seedDataset('alice/bad', { 'train.jsonl': jsonl(task('ok'), { id: 'x', difficulty: 'easy' }) });
    await expect(loadHubTasks({ client: alice, dataset: 'alice/bad', cacheDir })).rejects.toThrow(/alice\/bad@[0-9a-f]{7}:train train\.jsonl line 2: field 'prompt' is missing/);
  });
});
