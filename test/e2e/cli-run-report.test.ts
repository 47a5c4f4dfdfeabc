// `agent-eval run --report` from the built CLI: the end-of-run console table, report.html written into the
// run directory, and with --output-format hub uploaded into the results dataset (loopback Hub and model).
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HubClient } from '../../src/hub/client.js';
import { runCli } from '../helpers/cli.js';
import { startHubServer, type HubServer } from '../helpers/hub-server.js';
import { startOpenAIServer, type LoopbackOpenAIServer } from '../helpers/openai-server.js';
import { solveTasks } from '../helpers/task-model.js';

const TOKEN = 'hf_alice';
const TASKS = [
  { id: 'weather', prompt: "What's the weather in Paris, France?", difficulty: 'easy', agent_type: 'tool', expected_tool: 'get_weather', expected_tool_calls: 1, expected_keywords: ['20°C'] },
  { id: 'math', prompt: 'What is 234 multiplied by 67?', difficulty: 'easy', agent_type: 'tool', expected_tool: 'calculator', expected_tool_calls: 1, expected_keywords: ['15678'] },
  { id: 'wrong', prompt: 'What time is it in UTC?', difficulty: 'hard', agent_type: 'tool', expected_tool: 'get_current_time', expected_tool_calls: 1, expected_keywords: ['never-in-the-answer'] },
];

let hub: HubServer;
let openai: LoopbackOpenAIServer;
let work: string;
let env: Record<string, string>;
let tasksFile: string;

beforeEach(async () => {
  hub = await startHubServer({ users: { [TOKEN]: 'alice' } });
  // The scripted model leaves the expected keyword out of one answer: one failed task.
  openai = await startOpenAIServer({ responder: solveTasks(TASKS.map((task) => (task.id === 'wrong' ? { ...task, expected_keywords: [] } : task))) });
  work = await mkdtemp(join(tmpdir(), 'agent-eval-run-report-'));
  tasksFile = join(work, 'tasks.jsonl');
  await writeFile(tasksFile, TASKS.map((task) => JSON.stringify(task)).join('\n') + '\n');
  env = { HF_ENDPOINT: hub.url, HF_TOKEN: TOKEN, HF_HOME: join(work, 'hf-home'), OPENAI_API_KEY: 'sk-test' };
});
afterEach(async () => {
  await Promise.all([hub.close(), openai.close()]);
  await rm(work, { recursive: true, force: true });
});

const runArgs = (output: string, ...extra: string[]) => [
  'run', '--model', 'openai/test-model', '--base-url', `${openai.url}/v1`, '--agent-type', 'tool', '--dataset-name', tasksFile, '--max-retries', '0', '--output-dir', output, ...extra,
];

async function onlyRunDirectory(output: string): Promise<string> {
  const names = await readdir(output);
  expect(names).toHaveLength(1);
  return join(output, names[0]!);
}

describe('agent-eval run --report (built CLI)', () => {
  it('prints the console table with the failed task and the report path, and writes a self-contained report', async () => {
    const output = join(work, 'out');
    const result = await runCli(runArgs(output, '--report'), { env });
    expect(result.stderr).not.toMatch(/unexpected error|\[REPORT\] not written/);
    expect(result.code).toBe(0);
    const directory = await onlyRunDirectory(output);
    const reportPath = join(directory, 'report.html');
    expect(existsSync(reportPath)).toBe(true);

    const lines = result.stdout.split('\n');
    const header = lines.findIndex((line) => line.startsWith('agent  tasks  success (95% CI)'));
    expect(header).toBeGreaterThan(-1);
    // One agent type: one row with the run's tokens, cost and duration.
    expect(lines[header + 2]).toMatch(/^tool\s+3\s+2 66\.7% \(\d+\.\d%-\d+\.\d%\)\s+none\s+[\d,]+\s+unknown\s+\d/);
    expect(lines.filter((line) => line.startsWith('FAIL  '))).toEqual([expect.stringMatching(/^FAIL {2}tool:wrong \(hard\) {2}missing_keyword: .*never-in-the-answer/)]);
    expect(lines).toContain(`[REPORT] ${reportPath}`);
    expect(lines.indexOf(`[REPORT] ${reportPath}`)).toBeLessThan(lines.findIndex((line) => line.startsWith('[OUTPUT] ')));

    const html = await readFile(reportPath, 'utf8');
    expect(html.startsWith('<!doctype html>') || html.startsWith('<!DOCTYPE html>')).toBe(true);
    // The page's data: gzip-compressed JSON in base64, every task of the run.
    const encoded = /<script[^>]*id="report-data"[^>]*>([^<]*)<\/script>/.exec(html)?.[1];
    expect(encoded).toBeTruthy();
    const data = JSON.parse(gunzipSync(Buffer.from(encoded!.trim(), 'base64')).toString('utf8'));
    expect(data.tasks.map((task: { uid: string }) => task.uid).sort()).toEqual(['tool:math', 'tool:weather', 'tool:wrong']);
    // Self-contained: no script, style or image fetched from anywhere.
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=["']?(https?:)?\/\//i);
  });

  it('without --report writes no report and prints no report line', async () => {
    const output = join(work, 'plain');
    const result = await runCli(runArgs(output), { env });
    expect(result.code).toBe(0);
    expect(existsSync(join(await onlyRunDirectory(output), 'report.html'))).toBe(false);
    expect(result.stdout).not.toContain('[REPORT]');
    expect(result.stdout).toContain('FAIL  tool:wrong (hard)  missing_keyword:');
  });

  it('with --output-format hub uploads the report into the results dataset and prints its URL', async () => {
    const output = join(work, 'hub');
    const result = await runCli(runArgs(output, '--report', '--output-format', 'hub'), { env });
    expect(result.stderr).not.toMatch(/unexpected error|\[REPORT\]/);
    expect(result.code).toBe(0);
    const directory = await onlyRunDirectory(output);
    const metadata = JSON.parse(await readFile(join(directory, 'metadata.json'), 'utf8'));
    const repo = `alice/smoltrace-results-${metadata.timestamp}`;
    expect(result.stdout.trimEnd().split('\n').pop()!.trim()).toBe(`report:      ${hub.url}/datasets/${repo}/blob/main/report.html`);
    const client = new HubClient({ hubUrl: hub.url, token: TOKEN });
    const uploaded = await client.downloadFile(repo, 'main', 'report.html');
    expect(Buffer.from(uploaded!).equals(await readFile(join(directory, 'report.html')))).toBe(true);
  });

  it('a report that cannot be uploaded is said in one line; the datasets stay pushed and the run passes', async () => {
    // The results dataset's first commit passes; the next ones (the report) fail on every try.
    hub.fail({ path: /smoltrace-results-[^/]+\/commit\//, status: 500, times: 100, after: 1 });
    const output = join(work, 'hub-fail');
    const result = await runCli(runArgs(output, '--report', '--output-format', 'hub'), { env });
    expect(result.stdout).toContain('[SUCCESS] Results pushed to the Hugging Face Hub as alice');
    expect(result.stderr).toMatch(/\[REPORT\] not uploaded to alice\/smoltrace-results-\d+_\d+ \(.*\); the report is at .*report\.html/);
    expect(result.code).toBe(0);
  });
});
