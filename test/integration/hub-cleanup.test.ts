import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverRuns, executeCleanup, planCleanup } from '../../src/hub/cleanup.js';
import { HubClient } from '../../src/hub/client.js';
import { pushRunToHub } from '../../src/hub/publish.js';
import { startHubServer, type HubServer } from '../helpers/hub-server.js';
import { sampleHubRun } from '../helpers/hub-run.js';

const TOKEN = 'hf_alice';
const now = new Date('2026-01-21T00:00:00Z');

describe('cleanup against the loopback Hub', () => {
  let server: HubServer;
  let client: HubClient;

  function seedRun(timestamp: string, createdAt: string, parts: ('results' | 'traces' | 'metrics')[], resultsCard = '') {
    for (const part of parts) {
      const files: Record<string, string> = part === 'results' && resultsCard ? { 'README.md': resultsCard } : {};
      server.seedDataset(`alice/smoltrace-${part}-${timestamp}`, files, { private: true, createdAt });
    }
  }

  beforeEach(async () => {
    server = await startHubServer({ users: { [TOKEN]: 'alice', hf_bob: 'bob' }, listPageSize: 3 });
    client = new HubClient({ hubUrl: server.url, token: TOKEN, retry: { tries: 2, baseDelayMs: 1 } });
    seedRun('20260101_000000', '2026-01-01T00:00:00Z', ['results', 'traces', 'metrics']);
    seedRun('20260110_000000', '2026-01-10T00:00:00Z', ['results', 'metrics'], '---\nagent_eval:\n  telemetry: "off"\n---\n');
    seedRun('20260115_000000', '2026-01-15T00:00:00Z', ['results']);
    // The name says Jan 20 (e.g. a local-time name), but the Hub created it on Jan 5: createdAt wins.
    seedRun('20260120_000000', '2026-01-05T00:00:00Z', ['results', 'traces', 'metrics']);
    for (const id of ['alice/smoltrace-leaderboard', 'alice/smoltrace-tasks', 'alice/smoltrace-benchmark-v1', 'alice/smoltrace-results-latest', 'alice/other-results-20260101_000000']) {
      server.seedDataset(id, {}, { createdAt: '2025-01-01T00:00:00Z' });
    }
    server.seedDataset('bob/smoltrace-results-20250101_000000', {}, { createdAt: '2025-01-01T00:00:00Z' });
  });
  afterEach(async () => {
    await server.close();
  });

  it("finds a shard's datasets (-shard-I-of-N) as a run of their own", async () => {
    seedRun('20260102_000000-shard-1-of-2', '2026-01-02T00:00:00Z', ['results', 'metrics']);
    seedRun('20260102_000000-shard-2-of-2', '2026-01-02T00:00:01Z', ['results', 'metrics']);
    const runs = await discoverRuns(client, 'alice');
    const shards = runs.filter((run) => run.timestamp.includes('-shard-'));
    expect(shards.map((run) => [run.timestamp, run.repos.results, run.time?.toISOString()])).toEqual([
      ['20260102_000000-shard-2-of-2', 'alice/smoltrace-results-20260102_000000-shard-2-of-2', '2026-01-02T00:00:01.000Z'],
      ['20260102_000000-shard-1-of-2', 'alice/smoltrace-results-20260102_000000-shard-1-of-2', '2026-01-02T00:00:00.000Z'],
    ]);
    const plan = planCleanup(runs, { olderThanDays: 14, now }).repos;
    expect(plan).toContain('alice/smoltrace-metrics-20260102_000000-shard-1-of-2');
  });

  it('discovers runs by timestamp, newest first, with ages from createdAt and completeness', async () => {
    const runs = await discoverRuns(client, 'alice');
    expect(runs.map((run) => [run.timestamp, run.time?.toISOString(), run.complete, run.telemetry])).toEqual([
      ['20260115_000000', '2026-01-15T00:00:00.000Z', false, 'unknown'],
      ['20260110_000000', '2026-01-10T00:00:00.000Z', true, 'off'],
      ['20260120_000000', '2026-01-05T00:00:00.000Z', true, 'on'],
      ['20260101_000000', '2026-01-01T00:00:00.000Z', true, 'on'],
    ]);
    expect(runs[0]!.missing).toEqual(['traces', 'metrics']);
    const everything = planCleanup(runs, { all: true, now }).repos;
    expect(everything).toHaveLength(9);
    expect(everything.every((repo) => /^alice\/smoltrace-(results|traces|metrics)-\d{8}_\d{6}$/.test(repo))).toBe(true);
  });

  it('a dry run (plan only) deletes nothing; executing deletes exactly the plan', async () => {
    const before = [...server.repos.keys()].sort();
    const plan = planCleanup(await discoverRuns(client, 'alice'), { olderThanDays: 14, now });
    expect(plan.runs.map((run) => run.timestamp)).toEqual(['20260120_000000', '20260101_000000']);
    expect([...server.repos.keys()].sort()).toEqual(before);
    expect(server.requests.some((request) => request.method === 'DELETE')).toBe(false);

    const report = await executeCleanup(plan, client);
    expect(report.failed).toEqual([]);
    expect(report.deleted.sort()).toEqual([...plan.repos].sort());
    expect([...server.repos.keys()].sort()).toEqual(before.filter((id) => !plan.repos.includes(id)));
    expect(server.repos.has('alice/smoltrace-leaderboard')).toBe(true);
  });

  it('keep-recent 0, incomplete-only and only', async () => {
    const runs = await discoverRuns(client, 'alice');
    expect(planCleanup(runs, { keepRecent: 0, now }).runs).toHaveLength(4);
    expect(planCleanup(runs, { keepRecent: 3, now }).repos).toEqual([
      'alice/smoltrace-results-20260101_000000',
      'alice/smoltrace-traces-20260101_000000',
      'alice/smoltrace-metrics-20260101_000000',
    ]);
    expect(planCleanup(runs, { incompleteOnly: true, now }).repos).toEqual(['alice/smoltrace-results-20260115_000000']);
    expect(planCleanup(runs, { all: true, only: 'metrics', now }).repos).toEqual([
      'alice/smoltrace-metrics-20260110_000000',
      'alice/smoltrace-metrics-20260120_000000',
      'alice/smoltrace-metrics-20260101_000000',
    ]);
  });

  it('reports each deletion; a failure does not stop the others', async () => {
    const plan = planCleanup(await discoverRuns(client, 'alice'), { all: true, now });
    server.fail({ method: 'DELETE', path: '/api/repos/delete', status: 403, times: 1 });
    const seen: string[] = [];
    const report = await executeCleanup(plan, client, { concurrency: 1, onResult: (result) => seen.push(result.repo) });
    expect(report.results).toHaveLength(9);
    expect(report.failed).toEqual([{ repo: plan.repos[0], ok: false, error: expect.stringMatching(/403/) }]);
    expect(report.deleted).toEqual(plan.repos.slice(1));
    expect(seen).toEqual(plan.repos);
    expect(server.repos.has(plan.repos[0]!)).toBe(true);
  });

  it('deletes in parallel, at most `concurrency` at a time', async () => {
    let inFlight = 0;
    let peak = 0;
    const slow: typeof fetch = async (input, init) => {
      const deleting = init?.method === 'DELETE';
      if (deleting) peak = Math.max(peak, ++inFlight);
      try {
        if (deleting) await new Promise((resolve) => setTimeout(resolve, 20));
        return await fetch(input, init);
      } finally {
        if (deleting) inFlight--;
      }
    };
    const slowClient = new HubClient({ hubUrl: server.url, token: TOKEN, fetch: slow });
    const plan = planCleanup(await discoverRuns(slowClient, 'alice'), { all: true, now });
    const report = await executeCleanup(plan, slowClient, { concurrency: 3 });
    expect(report.deleted).toHaveLength(9);
    expect(peak).toBe(3);
  });

  it('a run pushed without telemetry is complete; one pushed with telemetry but no traces repo is not', async () => {
    await pushRunToHub(sampleHubRun({ traces: false, timestampCompact: '20260120_120000' }), { client, user: 'alice', tracesEnabled: false });
    await pushRunToHub(sampleHubRun({ runId: 'r2', timestampCompact: '20260120_130000' }), { client, user: 'alice', tracesEnabled: true });
    await client.deleteRepo('alice/smoltrace-traces-20260120_130000');
    const runs = await discoverRuns(client, 'alice');
    const byTime = Object.fromEntries(runs.map((run) => [run.timestamp, run]));
    expect(byTime['20260120_120000']).toMatchObject({ complete: true, telemetry: 'off' });
    expect(byTime['20260120_130000']).toMatchObject({ complete: false, missing: ['traces'] });
  });
});
