/** `agent-eval report`: loads the runs, builds the page and writes it atomically (nothing half-written). */
import { rename, writeFile, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { StartupError } from '../errors.js';
import { SecretRedactor } from '../secrets/redactor.js';
import { reportHtml } from './html-page.js';
import { buildReportData } from './report-data.js';
import { loadRuns } from './run-sources.js';
import type { LoadedRun } from './run-reader.js';

export interface WriteReportOptions {
  env: Record<string, string | undefined>;
  output?: string;
  title?: string;
  limit?: number;
  groupBy?: readonly string[];
  now?: Date;
}

export interface WrittenReport {
  path: string;
  bytes: number;
  runs: number;
  tasks: number;
  notes: string[];
}

/** The page for runs already loaded (also used after `agent-eval run --report`). */
export async function reportForRuns(runs: readonly LoadedRun[], options: Omit<WriteReportOptions, 'env' | 'limit'> & { output: string; env?: Record<string, string | undefined> }): Promise<WrittenReport> {
  const groupBy = options.groupBy ?? [];
  const notes: string[] = [];
  for (const column of groupBy) {
    if (!runs.some((run) => run.tasks.some((task) => column in task.row))) notes.push(`--group-by ${column}: no task of these runs has this column`);
  }
  const title = options.title ?? (runs.length === 1 ? `agent-eval report: ${runs[0]!.label}` : `agent-eval report: ${runs.length} runs`);
  const data = buildReportData(runs, { title, groupBy, ...(options.now && { now: options.now }) });
  // The run files were scrubbed when written; SMOLTRACE's and hand-made ones may not be.
  const html = await reportHtml(data, SecretRedactor.from({ env: options.env ?? {} }));
  const path = resolve(options.output);
  const temporary = join(dirname(path), `.${process.pid}.${Date.now()}.report.tmp`);
  try {
    await writeFile(temporary, html);
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw new StartupError(`cannot write the report ${path} (${(error as Error).message})`);
  }
  return { path, bytes: Buffer.byteLength(html), runs: runs.length, tasks: data.tasks.length, notes };
}

export async function writeReport(sources: readonly string[], options: WriteReportOptions): Promise<WrittenReport> {
  const runs = await loadRuns(sources, { env: options.env, ...(options.limit !== undefined && { limit: options.limit }) });
  // One run directory: the report goes into it; otherwise (several runs, a Hub dataset) into the current directory.
  const onlyDirectory = runs.length === 1 && sources.length === 1 && runs[0]!.source === resolve(sources[0]!) ? runs[0]!.source : null;
  const output = options.output ?? (onlyDirectory ? join(onlyDirectory, 'report.html') : 'report.html');
  return reportForRuns(runs, { ...options, output });
}
