import { access, constants, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InputError, RunStoppedError } from '../errors.js';
import type { RunResult } from '../eval/types.js';
import { consoleTableFromTotals, formatConsoleTable } from '../report/console-table.js';
import { formatDialogueSummary, formatSummary, summariseTotals } from '../report/summary.js';
import { createReporter } from './progress.js';
import { parseRunFlags, type RawRunFlags } from './run-options.js';
import { redactModelArgs } from '../telemetry/redaction.js';
import type { SecretRedactor } from '../secrets/redactor.js';
import { publishAfterRun } from './hub-commands.js';
import { scoringSummaryLines } from './scoring-summary.js';

export const EXIT = { ok: 0, failed: 1, input: 2, belowThreshold: 3, interrupted: 130 } as const;

interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
  /** The CLI's redactor: the run adds the secrets it resolves (API key, Hub token), so later lines know them too. */
  redactor?: SecretRedactor;
}

function printSummary(run: RunResult, directory: string, output: Output, reportPath?: string): void {
  output.out('');
  for (const summary of summariseTotals(run.totals)) for (const line of formatSummary(summary)) output.out(line);
  for (const line of formatDialogueSummary(run.totals.dialogue)) output.out(line);
  output.out('');
  for (const line of formatConsoleTable(consoleTableFromTotals(run.totals, reportPath))) output.out(line);
  for (const line of scoringSummaryLines(run)) output.out(line);
  if (run.interrupted && !run.stoppedBecause) output.out(`Interrupted: ${run.totals.count} of ${run.plannedTasks} task(s) recorded; continue with --resume ${directory}`);
  output.out(`[RUN ID] ${run.runId}`);
  output.out(`[OUTPUT] ${directory}`);
}

/**
 * `--report`: the run's report.html, from the files just written. The results are safe whatever
 * happens here, so a report that cannot be written is said in one line and the run goes on.
 */
async function writeRunReport(directory: string, output: Output): Promise<string | undefined> {
  const { writeReport } = await import('../report/write-report.js');
  try {
    return (await writeReport([directory], { env: process.env })).path;
  } catch (error) {
    output.err(`[REPORT] not written: ${(error as Error).message}; write it later with: agent-eval report ${directory}`);
    return undefined;
  }
}

/** `--export-gaia-submission FILE`, checked before the run: its folder exists and is writable, and FILE is not a folder. */
async function checkSubmissionFile(path: string): Promise<void> {
  const flag = `--export-gaia-submission ${path}`;
  const target = resolve(path);
  const existing = await stat(target).catch(() => undefined);
  if (existing?.isDirectory()) throw new InputError(`${flag}: is a directory; give a file name`);
  const folder = await stat(dirname(target)).catch(() => undefined);
  if (!folder?.isDirectory()) throw new InputError(`${flag}: the folder ${dirname(target)} does not exist`);
  try {
    await access(dirname(target), constants.W_OK);
    if (existing) await access(target, constants.W_OK);
  } catch (error) {
    throw new InputError(`${flag}: not writable (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** `agent-eval run`: validate flags, run, write the local files, print the summary; returns the exit code. */
export async function runCommand(raw: RawRunFlags, output: Output, signal: AbortSignal): Promise<number> {
  const settings = parseRunFlags(raw);
  if (settings.gaiaSubmission) await checkSubmissionFile(settings.gaiaSubmission);
  if (settings.debug) output.err(`[DEBUG] model args: ${JSON.stringify(redactModelArgs(settings.options.modelArgs))}`);
  const reporter = await createReporter({ quiet: settings.quiet, debug: settings.debug, write: output.err, ...(output.redactor && { redactor: output.redactor }) });
  const [{ runEvaluation }, { writeLocalJson }] = await Promise.all([
    import('../eval/run-evaluation.js'),
    import('../sinks/local-json.js'),
  ]);
  let run: RunResult;
  try {
    run = await runEvaluation(settings.options, { env: process.env, signal, onEvent: (event) => reporter.handle(event), ...(output.redactor && { redactor: output.redactor }) });
  } catch (error) {
    // The journal could not be written: what it holds is kept, the message says how to resume.
    if (!(error instanceof RunStoppedError)) throw error;
    output.err(`agent-eval: ${error.message}`);
    return EXIT.failed;
  } finally {
    reporter.stop();
  }
  let written: Awaited<ReturnType<typeof writeLocalJson>>;
  try {
    written = await writeLocalJson(run, { submittedBy: process.env.AGENT_EVAL_SUBMITTED_BY ?? 'local' });
  } catch (error) {
    if (!(error instanceof RunStoppedError)) throw error;
    output.err(`agent-eval: ${error.message}; the journal keeps the ${run.totals.count} finished task(s): once there is room, write the files with --resume ${run.runDirectory}`);
    return EXIT.failed;
  }
  const reportPath = settings.report ? await writeRunReport(written.directory, output) : undefined;
  printSummary(run, written.directory, output, reportPath);
  let submissionFailed = false;
  if (settings.gaiaSubmission) {
    const { writeGaiaSubmission } = await import('../sinks/gaia-submission.js');
    try {
      const count = await writeGaiaSubmission(run, settings.gaiaSubmission);
      output.out(`[GAIA] ${count} answer(s) written to ${settings.gaiaSubmission}`);
    } catch (error) {
      if (!(error instanceof RunStoppedError)) throw error;
      submissionFailed = true;
      output.err(`agent-eval: --export-gaia-submission: ${error.message}; the run's results are kept in ${written.directory}`);
    }
  }
  await publishAfterRun(run, written.directory, raw, output, reportPath);
  if (submissionFailed) return EXIT.failed;
  if (run.stoppedBecause) {
    output.err(`[STOPPED] ${run.stoppedBecause}; ${run.totals.count} of ${run.plannedTasks} task(s) recorded; continue with --resume ${written.directory}`);
    return EXIT.failed;
  }
  if (run.interrupted) return EXIT.interrupted;
  // Infrastructure failures say nothing about the model: the run is incomplete until they are run again.
  const infrastructure = run.totals.all.errors.infrastructure ?? 0;
  if (infrastructure) {
    output.err(`[FAIL] ${infrastructure} task(s) failed on infrastructure errors (provider or network); run them again with: agent-eval run --resume ${written.directory}`);
    return EXIT.failed;
  }
  if (settings.failUnder !== undefined) {
    const rate = run.totals.count ? run.totals.successful / run.totals.count : 0;
    if (rate < settings.failUnder) {
      output.err(`[FAIL] success rate ${(rate * 100).toFixed(1)}% is below --fail-under ${(settings.failUnder * 100).toFixed(1)}%`);
      return EXIT.belowThreshold;
    }
  }
  return EXIT.ok;
}

