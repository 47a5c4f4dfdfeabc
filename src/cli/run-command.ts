import type { RunResult } from '../eval/types.js';
import { formatFailedTasks, formatSummary, summariseRun } from '../report/summary.js';
import { createReporter } from './progress.js';
import { parseRunFlags, type RawRunFlags } from './run-options.js';
import { redactModelArgs } from '../telemetry/redaction.js';
import type { SecretRedactor } from '../secrets/redactor.js';
import { publishAfterRun } from './hub-commands.js';

export const EXIT = { ok: 0, failed: 1, input: 2, belowThreshold: 3, interrupted: 130 } as const;

interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
  /** The CLI's redactor: the run adds the secrets it resolves (API key, Hub token), so later lines know them too. */
  redactor?: SecretRedactor;
}

function printSummary(run: RunResult, directory: string, output: Output): void {
  output.out('');
  for (const summary of summariseRun(run.results)) for (const line of formatSummary(summary)) output.out(line);
  for (const line of formatFailedTasks(run.results)) output.out(line);
  if (run.interrupted) output.out(`Interrupted: ${run.results.length} of ${run.plannedTasks} task(s) recorded; continue with --resume ${directory}`);
  output.out(`[RUN ID] ${run.runId}`);
  output.out(`[OUTPUT] ${directory}`);
}

/** `agent-eval run`: validate flags, run, write the local files, print the summary; returns the exit code. */
export async function runCommand(raw: RawRunFlags, output: Output, signal: AbortSignal): Promise<number> {
  const settings = parseRunFlags(raw);
  if (settings.debug) output.err(`[DEBUG] model args: ${JSON.stringify(redactModelArgs(settings.options.modelArgs))}`);
  const reporter = await createReporter({ quiet: settings.quiet, debug: settings.debug, write: output.err, ...(output.redactor && { redactor: output.redactor }) });
  const [{ runEvaluation }, { writeLocalJson }] = await Promise.all([
    import('../eval/run-evaluation.js'),
    import('../sinks/local-json.js'),
  ]);
  let run: RunResult;
  try {
    run = await runEvaluation(settings.options, { env: process.env, signal, onEvent: (event) => reporter.handle(event), ...(output.redactor && { redactor: output.redactor }) });
  } finally {
    reporter.stop();
  }
  const written = await writeLocalJson(run, { submittedBy: process.env.AGENT_EVAL_SUBMITTED_BY ?? 'local' });
  printSummary(run, written.directory, output);
  await publishAfterRun(run, written.directory, raw, output);
  if (run.interrupted) return EXIT.interrupted;
  if (settings.failUnder !== undefined) {
    const rate = run.results.length ? run.results.filter((result) => result.success).length / run.results.length : 0;
    if (rate < settings.failUnder) {
      output.err(`[FAIL] success rate ${(rate * 100).toFixed(1)}% is below --fail-under ${(settings.failUnder * 100).toFixed(1)}%`);
      return EXIT.belowThreshold;
    }
  }
  return EXIT.ok;
}

