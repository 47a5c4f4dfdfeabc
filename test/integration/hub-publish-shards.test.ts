// pushRunToHub for a shard (run --shard I/N) against the loopback Hub: shard dataset names, the shard
// in the cards, its run files in the results dataset, no leaderboard row, and claims by run AND shard.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HubClient } from '../../src/hub/client.js';
import { hubDatasetNames, pushRunToHub } from '../../src/hub/publish.js';
import { hubNameProblem, shardDatasetSuffix } from '../../src/hub/repo-names.js';
import { startHubServer, type HubServer } from '../helpers/hub-server.js';
import { sampleHubRun } from '../helpers/hub-run.js';

const TOKEN = 'hf_alice';

describe('shard dataset names', () => {
  it('end in -shard-I-of-N after the timestamp and stay valid Hub names', () => {
    expect(shardDatasetSuffix(undefined)).toBe('');
    const names = hubDatasetNames('alice', '20260102_030405', 'smoltrace', { index: 2, count: 4 });
    expect(names).toEqual({
      results: 'alice/smoltrace-results-20260102_030405-shard-2-of-4',
      traces: 'alice/smoltrace-traces-20260102_030405-shard-2-of-4',
      metrics: 'alice/smoltrace-metrics-20260102_030405-shard-2-of-4',
      leaderboard: 'alice/smoltrace-leaderboard',
    });
    for (const name of Object.values(names)) expect(hubNameProblem(name.split('/')[1]!)).toBeNull();
    expect(hubDatasetNames('alice', '20260102_030405').results).toBe('alice/smoltrace-results-20260102_030405');
    expect(() => hubDatasetNames('alice', '20260102_030405', 'p'.repeat(70), { index: 1, count: 10_000 })).toThrow(/is 1\d\d characters long \(the Hub allows 96\)/);
    expect(hubNameProblem('a--b')).toMatch(/'--'/);
    expect(hubNameProblem('name-')).toMatch(/start and end/);
  });
});

describe('pushRunToHub for a shard', () => {
  let server: HubServer;
  let client: HubClient;

  beforeEach(async () => {
    server = await startHubServer({ users: { [TOKEN]: 'alice' } });
    client = new HubClient({ hubUrl: server.url, token: TOKEN, retry: { tries: 1, baseDelayMs: 1 } });
  });
  afterEach(async () => {
    await server.close();
  });

  it('records the shard in the cards, adds the run files to the results dataset and writes no leaderboard row', async () => {
    const run = { ...sampleHubRun(), shard: { index: 2, count: 4 }, runFiles: [{ path: 'agent_eval/metadata.json', content: '{"run_id":"run-0001"}\n' }] };
    const pushed = await pushRunToHub(run, { client, user: 'alice', tracesEnabled: true });
    const names = hubDatasetNames('alice', run.timestampCompact, 'smoltrace', run.shard);
    expect(pushed.results.repo).toBe(names.results);
    expect(pushed.leaderboard).toMatchObject({ repo: names.leaderboard, commit: null, created: false, file: null });
    expect(pushed.urls).toEqual([names.results, names.traces, names.metrics].map((repo) => client.datasetUrl(repo)));
    expect(pushed.notices).toEqual([`shard 2/4: no leaderboard row (a shard is part of a run); merge the shards with agent-eval merge <each shard's results dataset, e.g. ${names.results}> -o <run-dir> --push`]);
    expect(server.repos.has(names.leaderboard)).toBe(false);
    for (const repo of [names.results, names.traces, names.metrics]) {
      expect((await client.datasetInfo(repo)).cardData?.agent_eval).toMatchObject({ run_id: 'run-0001', shard: { index: 2, count: 4 } });
    }
    expect(new TextDecoder().decode((await client.downloadFile(names.results, 'main', 'agent_eval/metadata.json'))!)).toBe('{"run_id":"run-0001"}\n');
    expect(await client.downloadFile(names.traces, 'main', 'agent_eval/metadata.json')).toBeNull();
    // Pushing the same shard again reuses its datasets.
    await expect(pushRunToHub(run, { client, user: 'alice', tracesEnabled: true })).resolves.toBeDefined();
  });

  it('refuses a dataset holding the same run id but another shard (or the whole run)', async () => {
    const run = { ...sampleHubRun(), shard: { index: 1, count: 2 } };
    const names = hubDatasetNames('alice', run.timestampCompact, 'smoltrace', run.shard);
    server.seedDataset(names.results, { 'README.md': '---\nagent_eval:\n  kind: results\n  run_id: run-0001\n---\n' });
    await expect(pushRunToHub(run, { client, user: 'alice', tracesEnabled: true })).rejects.toThrow(`Hub dataset ${names.results} already holds the whole run run-0001, not shard 1/2 of run run-0001`);
    expect(server.repos.has(names.leaderboard)).toBe(false);
  });
});
