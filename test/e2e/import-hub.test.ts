// `agent-eval import` of SMOLTRACE's Hub datasets (results with its -traces- sibling, Parquet) from the
// loopback Hub, through the built CLI.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeParquet } from '../../src/hub/parquet.js';
import { runCli } from '../helpers/cli.js';
import { startHubServer, type HubServer } from '../helpers/hub-server.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/import/smoltrace-run/', import.meta.url));
const TOKEN = 'hf_alice';
let hub: HubServer;
let work: string;

beforeAll(async () => {
  hub = await startHubServer({ users: { [TOKEN]: 'alice' } });
  work = await mkdtemp(join(tmpdir(), 'agent-eval-import-hub-'));
  const results = JSON.parse(await readFile(join(FIXTURES, 'results.json'), 'utf8'));
  const traces = JSON.parse(await readFile(join(FIXTURES, 'traces.json'), 'utf8'));
  hub.seedDataset('alice/smoltrace-results-20251027_192408', { 'data/train-00000-of-00001.parquet': writeParquet(results) }, { private: true });
  hub.seedDataset('alice/smoltrace-traces-20251027_192408', { 'data/train-00000-of-00001.parquet': writeParquet(traces) }, { private: true });
});
afterAll(async () => hub?.close());

describe('import SMOLTRACE Hub datasets (built CLI, loopback Hub)', () => {
  it('reads the results dataset and its traces sibling, recounting tokens from the model spans', async () => {
    const output = join(work, 'imported');
    const env = { HF_ENDPOINT: hub.url, HF_TOKEN: TOKEN, HF_HOME: join(work, 'hf-home') };
    const result = await runCli(['import', 'alice/smoltrace-results-20251027_192408', '-o', output], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('[IMPORT] 2 task(s) from 1 trace(s) (smoltrace)');
    expect(result.stderr).toMatch(/\[WARN\] alice\/smoltrace-results-20251027_192408: 1 task\(s\): SMOLTRACE's token totals/);
    const rows = JSON.parse(await readFile(join(output, 'results.json'), 'utf8'));
    expect(rows[0]).toMatchObject({ task_id: 'tool_weather_single', total_tokens: 200, tools_used: ['get_weather'], source: 'alice/smoltrace-results-20251027_192408', source_format: 'smoltrace' });
    const metadata = JSON.parse(await readFile(join(output, 'metadata.json'), 'utf8'));
    expect(metadata.imported.sources).toEqual(['alice/smoltrace-results-20251027_192408']);
  });

  it('names a dataset that does not exist in one line (exit 2)', async () => {
    const env = { HF_ENDPOINT: hub.url, HF_TOKEN: TOKEN, HF_HOME: join(work, 'hf-home') };
    const result = await runCli(['import', 'alice/smoltrace-results-19990101_000000', '-o', join(work, 'never')], { env });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(/^agent-eval: alice\/smoltrace-results-19990101_000000: no such Hub dataset/);
  });
});
