import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HubClient } from '../../src/hub/client.js';
import { parquetColumns, readParquet } from '../../src/hub/parquet.js';
import { RESULTS_TYPES } from '../../src/hub/columns.js';
import { hubDatasetNames, pushRunToHub, RUN_DATA_FILE } from '../../src/hub/publish.js';
import { startHubServer, type HubServer } from '../helpers/hub-server.js';
import { sampleHubRun, T1, T2 } from '../helpers/hub-run.js';

const TOKEN = 'hf_alice';

describe('pushRunToHub', () => {
  let server: HubServer;
  let client: HubClient;

  beforeEach(async () => {
    server = await startHubServer({ users: { [TOKEN]: 'alice' } });
    client = new HubClient({ hubUrl: server.url, token: TOKEN, retry: { tries: 3, baseDelayMs: 1 } });
  });
  afterEach(async () => {
    await server.close();
  });

  async function readRows(repo: string, path = RUN_DATA_FILE) {
    const bytes = await client.downloadFile(repo, 'main', path);
    expect(bytes, `${repo}/${path}`).not.toBeNull();
    return { rows: await readParquet(bytes!, { parseJson: true }), columns: parquetColumns(bytes!) };
  }

  it('publishes results, traces, metrics and a leaderboard row that read back equal', async () => {
    const run = sampleHubRun();
    const pushed = await pushRunToHub(run, { client, user: 'alice', tracesEnabled: true });
    const names = hubDatasetNames('alice', '20260102_030405');
    expect(names.results).toBe('alice/smoltrace-results-20260102_030405');
    expect(pushed.urls).toEqual([names.results, names.traces, names.metrics, names.leaderboard].map((repo) => `${server.url}/datasets/${repo}`));
    expect(pushed.notices).toEqual([]);

    for (const repo of [names.results, names.traces, names.metrics]) {
      const stored = server.repos.get(repo)!;
      expect(stored.private).toBe(true);
      expect(stored.commits.size).toBe(2); // the initial commit, then ONE commit with data + card
      expect((await client.listFiles(repo)).map((file) => file.path).sort()).toEqual(['.gitattributes', 'README.md', RUN_DATA_FILE]);
      const info = await client.datasetInfo(repo);
      expect(info.cardData).toMatchObject({
        license: 'apache-2.0',
        configs: [{ config_name: 'default', data_files: [{ split: 'train', path: 'data/train-*' }] }],
        agent_eval: { run_id: 'run-0001', telemetry: 'on' },
      });
    }

    const results = await readRows(names.results);
    // Struct fields a value lacks read back as null; nested JSON leaves (tool arguments) parse back.
    const messageFields = { content: null, tool_calls: null, tool_call_id: null };
    expect(results.rows).toEqual(
      run.results.map((row) => ({
        ...Object.fromEntries(Object.keys(RESULTS_TYPES).map((name) => [name, null])), // every declared column, null when absent
        ...row,
        tool_calls: (row.tool_calls as object[]).map((call) => ({ resources: null, ...call })),
        messages: (row.messages as object[]).map((message) => ({ ...messageFields, ...message })),
      })),
    );
    expect(results.columns.find((column) => column.name === 'cost_usd')?.type).toBe('double');
    expect(results.columns.find((column) => column.name === 'evaluation_date')?.type).toBe('timestamp');
    expect(results.columns.find((column) => column.name === 'tools_used')?.type).toEqual({ list: 'string' });
    const card = new TextDecoder().decode((await client.downloadFile(names.results, 'main', 'README.md'))!);
    expect(card).toContain('load_dataset("alice/smoltrace-results-20260102_030405", split="train")');
    expect(card).toContain('| Run ID | `run-0001` |');
    expect(card).toContain('| Generated | 2026-01-02 03:04:05 UTC |');
    expect(card).toContain('| `cost_usd` | `double` |');
    expect(card).toContain('| `tools_used` | `list<string>` |');
    expect(card).toContain('| `evaluation_date` | `timestamp[us, UTC]` |');
    expect(card).toMatch(/\| `tool_calls` \| `list<struct<step: int64, name: string, arguments: string \(JSON\), /);
    expect(card).toContain('Free-form values whose keys vary');

    const traces = await readRows(names.traces);
    expect(traces.rows).toEqual(
      run.traces.map((trace) => ({
        ...trace,
        spans: (trace as { spans: Record<string, unknown>[] }).spans.map((span) => ({
          ...span,
          start_time: BigInt(span.start_time as string),
          end_time: BigInt(span.end_time as string),
          events: (span.events as Record<string, unknown>[]).map((event) => ({ ...event, timestamp: BigInt(event.timestamp as string) })),
          total_tokens: null,
          tool_output: null,
        })),
      })),
    );

    const metrics = await readRows(names.metrics);
    expect(metrics.rows).toEqual([
      {
        run_id: 'run-0001', service_name: 'agent-eval', timestamp: '2026-01-02T03:04:05.000Z', timestamp_unix_nano: T1,
        co2_emissions_gco2e: 0, power_cost_usd: null, gpu_utilization_percent: 40.5, gpu_memory_used_mib: 1000, gpu_memory_total_mib: null,
        gpu_temperature_celsius: null, gpu_power_watts: null, gpu_id: '0', gpu_name: 'NVIDIA H100', gen_ai_energy_consumed: 0,
      },
      {
        run_id: 'run-0001', service_name: 'agent-eval', timestamp: '2026-01-02T03:04:15.000Z', timestamp_unix_nano: T2,
        co2_emissions_gco2e: 0.25, power_cost_usd: null, gpu_utilization_percent: 80, gpu_memory_used_mib: 2000.5, gpu_memory_total_mib: null,
        gpu_temperature_celsius: 61, gpu_power_watts: null, gpu_id: '0', gpu_name: 'NVIDIA H100', gen_ai_energy_consumed: 0.0005,
      },
    ]);
    const metricsCard = new TextDecoder().decode((await client.downloadFile(names.metrics, 'main', 'README.md'))!);
    expect(metricsCard).toContain('| `tests.successful` | counter | {"value":2} |');

    const leaderboard = server.repos.get(names.leaderboard)!;
    expect(leaderboard.private).toBe(true);
    expect(pushed.leaderboard).toMatchObject({ created: true, file: 'data/run-0001.parquet' });
    const board = await readRows(names.leaderboard, 'data/run-0001.parquet');
    expect(board.rows).toHaveLength(1);
    expect(board.rows[0]).toMatchObject({
      run_id: 'run-0001', total_tests: 3, success_rate: 66.67, total_cost_usd: 0, co2_emissions_g: null, interrupted: false,
      results_dataset: names.results, traces_dataset: names.traces, metrics_dataset: names.metrics,
      use_case: 'swiggy-mcp-ordering', team: null, purpose: null, suite_version: null,
      extra_columns: { future_field: 'kept in extra_columns' },
      evaluation_date: '2026-01-02T03:04:05.000Z',
    });
    expect(board.columns.find((column) => column.name === 'evaluation_date')?.type).toBe('timestamp');
    expect(board.columns.find((column) => column.name === 'total_tests')?.type).toBe('int64');
    for (const name of ['use_case', 'team', 'purpose', 'suite_version']) {
      expect(board.columns.find((column) => column.name === name)?.type).toBe('string');
    }
    expect((await client.datasetInfo(names.leaderboard)).cardData).toMatchObject({ configs: [{ data_files: [{ split: 'train', path: 'data/*.parquet' }] }] });
  });

  it('without telemetry: no traces dataset, the results card says so, metrics get a placeholder row', async () => {
    const now = new Date('2026-03-04T05:06:07.000Z');
    const run = sampleHubRun({ traces: false, gpu: false, timestampCompact: '20260304_050607' });
    const pushed = await pushRunToHub(run, { client, user: 'alice', tracesEnabled: false, now, private: false });
    expect(pushed.traces).toBeNull();
    expect(pushed.urls).toHaveLength(3);
    const names = hubDatasetNames('alice', '20260304_050607');
    expect(server.repos.has(names.traces)).toBe(false);
    expect(server.repos.get(names.results)!.private).toBe(false);
    expect(server.repos.get(names.leaderboard)!.private).toBe(false);
    const info = await client.datasetInfo(names.results);
    expect(info.tags).toContain('telemetry-off');
    expect(info.cardData).toMatchObject({ agent_eval: { telemetry: 'off', traces_dataset: null } });
    const metrics = await readRows(names.metrics);
    expect(metrics.rows).toEqual([
      expect.objectContaining({ run_id: 'run-0001', timestamp: now.toISOString(), timestamp_unix_nano: '1772600767000000000', gpu_id: null, co2_emissions_gco2e: null }),
    ]);
    expect(metrics.columns.find((column) => column.name === 'gpu_utilization_percent')?.type).toBe('double');
    expect((await readRows(names.leaderboard, 'data/run-0001.parquet')).rows[0]).toMatchObject({ traces_dataset: null });
  });

  it('five concurrent pushes to one leaderboard keep five rows; the card is written once', async () => {
    const runs = Array.from({ length: 5 }, (_, index) => sampleHubRun({ runId: `run-${index}`, timestampCompact: `20260102_03040${index}` }));
    const pushed = await Promise.all(runs.map((run) => pushRunToHub(run, { client, user: 'alice', tracesEnabled: true })));
    expect(pushed.filter((result) => result.leaderboard.created)).toHaveLength(1);
    const repo = 'alice/smoltrace-leaderboard';
    expect(server.repos.get(repo)!.private).toBe(true);
    const files = (await client.listFiles(repo)).map((file) => file.path).filter((path) => path.endsWith('.parquet')).sort();
    expect(files).toEqual(runs.map((run) => `data/${run.runId}.parquet`));
    const rows = (await Promise.all(files.map(async (path) => (await readRows(repo, path)).rows))).flat();
    expect(rows.map((row) => row.run_id).sort()).toEqual(runs.map((run) => run.runId));
    const runCommits = [...server.repos.get(repo)!.commits.values()].filter((commit) => commit.title.startsWith('Add run'));
    expect(runCommits).toHaveLength(5);
    expect(server.readFile(repo, "README.md")).toBeDefined();
  });

  it('uses a custom prefix and leaderboard, and re-pushing the same run is idempotent', async () => {
    const run = sampleHubRun();
    const options = { client, user: 'alice', prefix: 'evals', leaderboardRepo: 'alice/board', tracesEnabled: true };
    await pushRunToHub(run, options);
    const again = await pushRunToHub(run, options);
    expect(again.results.repo).toBe('alice/evals-results-20260102_030405');
    expect(again.leaderboard).toMatchObject({ repo: 'alice/board', created: false });
    expect((await client.listFiles('alice/board')).filter((file) => file.path.endsWith('.parquet'))).toHaveLength(1);

    const other = sampleHubRun({ runId: 'run-other' });
    await expect(pushRunToHub(other, options)).rejects.toThrow(/already holds run run-0001/);
  });

  it('stops before the leaderboard when a dataset fails, naming what was pushed', async () => {
    server.fail({ method: 'POST', path: /smoltrace-metrics-.*\/commit\//, status: 503, times: 3 });
    const error = await pushRunToHub(sampleHubRun(), { client, user: 'alice', tracesEnabled: true }).then(() => new Error('no error'), (caught: Error) => caught);
    expect(error.message).toMatch(/incomplete \(pushed: alice\/smoltrace-results-20260102_030405, alice\/smoltrace-traces-20260102_030405\); failed metrics/);
    expect(error).toMatchObject({ kind: 'server' });
    expect(server.repos.has('alice/smoltrace-leaderboard')).toBe(false);
  });

  it('notices a leaderboard whose card does not load the per-run files', async () => {
    server.seedDataset('alice/smoltrace-leaderboard', {
      'README.md': '---\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n    path: data/train-*\n---\n',
    });
    const pushed = await pushRunToHub(sampleHubRun(), { client, user: 'alice', tracesEnabled: true });
    expect(pushed.leaderboard.created).toBe(false);
    expect(pushed.notices[0]).toMatch(/does not load data\/\*\.parquet/);
  });
});
