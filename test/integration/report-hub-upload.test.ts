import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { uploadReport } from '../../src/report/hub-upload.js';
import { startHubServer, type HubServer } from '../helpers/hub-server.js';

let hub: HubServer | undefined;
afterEach(async () => hub?.close());

describe('uploadReport', () => {
  it("commits the page as report.html into the run's results dataset", async () => {
    hub = await startHubServer({ users: { hf_alice: 'alice' } });
    hub.seedDataset('alice/smoltrace-results-20260102_030405', { 'README.md': '# results' });
    const folder = await mkdtemp(join(tmpdir(), 'agent-eval-report-upload-'));
    const page = join(folder, 'report.html');
    await writeFile(page, '<!doctype html><title>report</title>');
    const url = await uploadReport('alice/smoltrace-results-20260102_030405', page, { env: { HF_ENDPOINT: hub.url, HF_TOKEN: 'hf_alice', HF_HOME: join(folder, 'hf') }, retry: { tries: 1, baseDelayMs: 1 } });
    expect(url).toBe(`${hub.url}/datasets/alice/smoltrace-results-20260102_030405/blob/main/report.html`);
    expect(new TextDecoder().decode(hub.readFile('alice/smoltrace-results-20260102_030405', 'report.html'))).toBe('<!doctype html><title>report</title>');
    expect(hub.readFile('alice/smoltrace-results-20260102_030405', 'README.md')).toBeDefined();
  });
});
