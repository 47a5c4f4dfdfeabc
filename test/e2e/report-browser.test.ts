// Opens a generated report (two runs, the base one with traces and GPU samples) in Debian's headless
// Chromium, driven by puppeteer-core: no console error, no network request, every task listed, charts
// drawn, each scorer's pass rate, search filtering, and a task's drill-down with its conversation and
// verdicts. Screenshots go to the test's temporary folder.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer-core';
import { runCli } from '../helpers/cli.js';
import { makeReportRuns, REPORT_TASKS, type ReportRuns } from '../helpers/report-runs.js';

function findChromium(): string | null {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      const path = execFileSync('which', [name], { encoding: 'utf8' }).trim();
      if (path && existsSync(path)) return path;
    } catch {
      // not on PATH
    }
  }
  return null;
}

const chromium = findChromium();
const skipReason = chromium ? '' : ' (SKIPPED: no chromium on PATH; install it with apt-get install -y chromium)';
if (!chromium) console.warn(`report browser test skipped: no chromium on PATH; install it with apt-get install -y chromium`);

/**
 * The base run as if judged too (a `judge` verdict beside smoltrace's on each row: t01..t06 pass), and the
 * candidate as an older run whose rows record no `scores` (only the smoltrace rule).
 */
async function giveScorers(made: ReportRuns): Promise<void> {
  const rewrite = async (directory: string, change: (row: Record<string, unknown>) => Record<string, unknown>) => {
    const path = join(directory, 'results.json');
    const rows = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>[];
    await writeFile(path, JSON.stringify(rows.map(change), null, 2));
  };
  await rewrite(made.base, (row) => {
    const passed = Number(String(row.task_id).slice(1)) <= 6;
    // t12's judge could not decide: no verdict, left out of the judge's pass rate.
    if (row.task_id === 't12') return { ...row, scores: { ...(row.scores as object), judge: { value: 0, passed: false, explanation: '', error: 'judge answered invalid JSON twice' } } };
    return { ...row, scores: { ...(row.scores as object), judge: { value: passed ? 1 : 0.25, passed, explanation: passed ? 'grade 5 of 1..5: right' : 'grade 2 of 1..5: vague' } } };
  });
  await rewrite(made.candidate, ({ scores: _scores, ...row }) => row);
}

let runs: ReportRuns;
let folder: string;
let reportPath: string;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];
const requests: string[] = [];

describe.skipIf(!chromium)(`agent-eval report in headless Chromium${skipReason}`, () => {
  beforeAll(async () => {
    runs = await makeReportRuns();
    await giveScorers(runs);
    folder = await mkdtemp(join(tmpdir(), 'agent-eval-report-browser-'));
    reportPath = join(folder, 'report.html');
    const result = await runCli(['report', runs.base, '--title', 'Base against candidate', runs.candidate, '-o', reportPath]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const { launch } = await import('puppeteer-core');
    browser = await launch({ executablePath: chromium!, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    page = await browser.newPage();
    await page.setViewport({ width: 1200, height: 900 });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(String(error)));
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      requests.push(request.url());
      void (request.url() === pathToFileURL(reportPath).href ? request.continue() : request.abort());
    });
    await page.goto(pathToFileURL(reportPath).href, { waitUntil: 'load' });
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (process.env.AGENT_EVAL_KEEP_REPORT) console.warn(`report and screenshots kept in ${folder}`);
  });

  it('is one self-contained file that renders without console errors or network requests', async () => {
    const html = await readFile(reportPath, 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/[^"'\s]*\.(js|css)\b/);
    expect(await page.title()).toBe('Base against candidate');
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([pathToFileURL(reportPath).href]);
    await page.screenshot({ path: join(folder, 'report-overview.png'), fullPage: true });
  });

  it('lists every task of every run', async () => {
    const rows = await page.$$eval('#task-table tbody tr', (elements) => elements.map((row) => `${row.getAttribute('data-run')}|${row.getAttribute('data-key')}|${row.getAttribute('data-status')}`));
    expect(rows).toHaveLength(2 * REPORT_TASKS.length);
    for (const task of REPORT_TASKS) expect(rows.filter((row) => row.includes(`|tool:${task.id}#0|`))).toHaveLength(2);
    expect(rows.filter((row) => row.endsWith('|fail'))).toHaveLength(1 + 8);
    expect(await page.$eval('#task-count', (node) => node.textContent)).toBe('24 of 24 task(s)');
  });

  it('draws the charts: success, groups, failures, time split, tool latency, GPU, matrix and Pareto', async () => {
    const marks = (selector: string) => page.$$eval(selector, (svgs) => svgs.map((svg) => svg.querySelectorAll('rect, circle, path, line').length));
    for (const section of ['#overview', '#groups', '#failures', '#time', '#runs']) {
      const counts = await marks(`${section} figure svg`);
      expect(counts.length, section).toBeGreaterThan(0);
      for (const count of counts) expect(count, section).toBeGreaterThan(0);
    }
    const captions = await page.$$eval('#time figcaption', (nodes) => nodes.map((node) => node.textContent));
    expect(captions).toContain('GPU power draw over the run.');
    expect(await page.$eval('#comparison', (node) => node.textContent)).toContain('McNemar exact p-value0.03906');
  });

  it("shows each scorer's pass rate per run in the overview; a run without scores shows only the smoltrace rule", async () => {
    const rows = await page.$$eval('#overview table.scorers tbody tr', (elements) => elements.map((row) => [row.getAttribute('data-scorer'), ...[...row.querySelectorAll('td')].map((cell) => cell.textContent)]));
    expect(rows).toEqual([
      ['smoltrace', '11/12 91.7% (64.6% to 98.5%)', 'only the smoltrace rule'],
      ['judge', '6/11 54.5% (28.0% to 78.7%) + 1 error', 'only the smoltrace rule'],
    ]);
  });

  it('filters rows by search and by a failure reason link', async () => {
    await page.type('#search', 't03');
    const visible = () => page.$$eval('#task-table tbody tr', (elements) => elements.filter((row) => !(row as unknown as { hidden: boolean }).hidden).map((row) => row.getAttribute('data-key')));
    expect(await visible()).toEqual(['tool:t03#0', 'tool:t03#0']);
    await page.screenshot({ path: join(folder, 'report-search.png') });
    await page.click('#failures a.failure-link[data-run="1"][data-reason="missing_keyword"]');
    const failed = await visible();
    expect(failed).toHaveLength(8);
    expect(await page.$eval('#search', (node) => (node as unknown as { value: string }).value)).toBe('');
    await page.select('#filter-reason', '');
    await page.select('#filter-category', 'math');
    await page.select('#filter-difficulty', 'hard');
    // Run 2 (candidate) is still selected: its hard math tasks are t06 and t12.
    expect(await visible()).toEqual(['tool:t06#0', 'tool:t12#0']);
    await page.select('#filter-category', '');
    await page.select('#filter-difficulty', '');
  });

  it("opens a task's drill-down with its prompt, conversation, timeline and scores", async () => {
    await page.$eval('#search', (node) => {
      (node as unknown as { value: string }).value = '';
      node.dispatchEvent(new Event('input'));
    });
    await page.select('#filter-reason', '');
    await page.select('#filter-run', '');
    await page.click('#task-table tbody tr[data-key="tool:t01#0"]');
    await page.waitForSelector('#drilldown:not([hidden]) .conversation');
    const text = await page.$eval('#drilldown', (node) => node.textContent ?? '');
    expect(text).toContain('Task t01: what is the weather in Paris, France?');
    expect(text).toContain('get_weather');
    expect(await page.$$eval('#drilldown .conversation .message', (nodes) => nodes.map((node) => node.className))).toEqual(expect.arrayContaining(['message system', 'message user', 'message assistant', 'message tool']));
    // The base run has spans: the timeline is drawn from them.
    expect(await page.$$eval('#drilldown figure svg', (svgs) => Math.max(...svgs.map((svg) => svg.querySelectorAll('rect').length)))).toBeGreaterThan(2);
    expect(text).toContain('Steps from the task\u2019s spans.');
    // Every scorer's verdict with its explanation (the base run's t01 passed both).
    const verdicts = await page.$$eval('#drilldown table.scorers tbody tr', (elements) => elements.map((row) => [row.getAttribute('data-scorer'), ...[...row.querySelectorAll('td')].map((cell) => cell.textContent)]));
    expect(verdicts).toEqual([
      ['smoltrace', 'passed', '1.000', expect.any(String)],
      ['judge', 'passed', '1.000', 'grade 5 of 1..5: right'],
    ]);
    await page.screenshot({ path: join(folder, 'report-drilldown.png'), fullPage: true });
    expect(existsSync(join(folder, 'report-drilldown.png'))).toBe(true);
  });
});
