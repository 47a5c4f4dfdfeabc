/** Puts a written report into a run's Hub results dataset as `report.html` (after `agent-eval run --report --output-format hub`). */
import { readFile } from 'node:fs/promises';
import { HubClient } from '../hub/client.js';
import type { RetryOptions } from '../hub/index.js';

export interface UploadReportOptions {
  env: Record<string, string | undefined>;
  hfTokenFile?: string;
  /** For tests: the Hub client's retry policy. */
  retry?: RetryOptions;
}

/** Commits the file as report.html into the dataset; returns its URL on the Hub. */
export async function uploadReport(repo: string, reportPath: string, options: UploadReportOptions): Promise<string> {
  const { client } = await HubClient.fromEnvironment({ env: options.env, ...(options.hfTokenFile !== undefined && { tokenFile: options.hfTokenFile }), ...(options.retry && { retry: options.retry }) });
  await client.uploadFiles(repo, [{ path: 'report.html', content: await readFile(reportPath) }], 'Add report.html (agent-eval report)');
  return `${client.datasetUrl(repo)}/blob/main/report.html`;
}
