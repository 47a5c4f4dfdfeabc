// Reading runs published to the Hub: `agent-eval push` two built runs to the loopback Hub, then
// `report` a results dataset and the leaderboard, and `compare` a Hub run with a run directory.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startHubServer, type HubServer } from '../helpers/hub-server.js';
import { makeReportRuns, type ReportRuns } from '../helpers/report-runs.js';

const TOKEN = 'hf_alice';
let hub: HubServer;
let runs: ReportRuns;
let work: string;
let env: Record<string, string>;
const datasets: string[] = [];

/** The data embedded in a report page. */
async function pageData(path: string) {
  const html = await readFile(path, 'utf8');
  const encoded = /<script type="application\/octet-stream" id="report-data">([^<]+)<\/script>/.exec(html)![1]!;
  return JSON.parse(gunzipSync(Buffer.from(encoded, 'base64')).toString('utf8'));
}

beforeAll(async () => {
  hub = await startHubServer({ users: { [TOKEN]: 'alice' } });
  runs = await makeReportRuns();
  work = await mkdtemp(join(tmpdir(), 'agent-eval-report-hub-'));
  env = { HF_ENDPOINT: hub.url, HF_TOKEN: TOKEN, HF_HOME: join(work, 'hf-home') };
  for (const directory of [runs.base, runs.candidate]) {
    const pushed = await runCli(['push', directory], { env });
    expect(pushed.code, pushed.stderr).toBe(0);
    datasets.push(/results:\s+\S+\/datasets\/(\S+)/.exec(pushed.stdout)![1]!);
  }
}, 180_000);

afterAll(async () => {
  await hub?.close();
});

describe('report and compare on Hub datasets (built CLI, loopback Hub)', () => {
  it('reports a results dataset with its traces, into the current directory', async () => {
    const result = await runCli(['report', datasets[0]!], { env, cwd: work });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const path = join(work, 'report.html');
    expect(existsSync(path)).toBe(true);
    const data = await pageData(path);
    expect(data.runs).toHaveLength(1);
    expect(data.runs[0]).toMatchObject({ source: datasets[0], model: 'openai/base-model', tasks: 12, successes: 11, hasTraces: true });
    expect(data.tasks.filter((task: { timelineSource: string }) => task.timelineSource === 'spans')).toHaveLength(12);
  });

  it('reports the newest run of a leaderboard with --limit', async () => {
    const output = join(work, 'leaderboard.html');
    const result = await runCli(['report', 'alice/smoltrace-leaderboard', '--limit', '1', '-o', output], { env });
    expect(result.code, result.stderr).toBe(0);
    const data = await pageData(output);
    expect(data.runs.map((run: { source: string }) => run.source)).toEqual([datasets[1]]);
    expect(data.runs[0]).toMatchObject({ model: 'openai/candidate-model', successes: 4 });
  });

  it('compares a Hub run with a run directory, and reads the Hub files from the cache the second time', async () => {
    const first = await runCli(['compare', datasets[0]!, runs.candidate, '--json'], { env });
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ paired_tasks: 12, mcnemar_p_value: 20 / 512, flips: { fail_to_pass: ['tool:t12'] } });
    const downloads = () => hub.requests.filter((request) => request.path.includes('/resolve/')).length;
    const before = downloads();
    const again = await runCli(['compare', datasets[0]!, runs.candidate, '--json'], { env });
    expect(again.code).toBe(0);
    expect(downloads()).toBe(before);
  });

  it('says which dataset is missing, exit 2', async () => {
    const result = await runCli(['report', 'alice/smoltrace-results-19990101_000000'], { env, cwd: work });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('agent-eval: alice/smoltrace-results-19990101_000000: no such Hub dataset (or no access: set HF_TOKEN for a private one)');
  });
});
