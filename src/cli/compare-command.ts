/**
 * `agent-eval compare <base> <candidate>`: paired statistics of two runs, as lines or one JSON object,
 * and a CI gate (exit 4 with --fail-on-regression). The work is in src/report/comparison.ts.
 */
import type { Command } from './commander.js';
import { InputError } from '../errors.js';
import type { ReadingCommandIo } from './report-command.js';

export const EXIT_REGRESSION = 4;

/** A fraction from "0.05" or "5%", within 0..1 (alpha strictly inside). */
export function parseFraction(flag: string, value: unknown, fallback: number, openInterval = false): number {
  if (value === undefined) return fallback;
  const text = String(value).trim();
  const number = text.endsWith('%') ? Number(text.slice(0, -1)) / 100 : Number(text);
  const inside = openInterval ? number > 0 && number < 1 : number >= 0 && number <= 1;
  if (!text || !Number.isFinite(number) || !inside) {
    throw new InputError(`${flag} ${text}: must be a fraction ${openInterval ? 'between 0 and 1 (exclusive)' : 'from 0 to 1'}, e.g. ${flag === '--alpha' ? '0.05' : '0.02 or 2%'}`);
  }
  return number;
}

export function registerCompareCommand(program: Command, io: ReadingCommandIo): void {
  program
    .command('compare')
    .description('compare two runs task by task: paired success difference with a 95% interval, exact McNemar test, flipped tasks, deltas')
    .argument('<base>', 'the base run: a run directory or a Hub results dataset')
    .argument('<candidate>', 'the candidate run')
    .option('--json', 'print one JSON object (fields in the README)')
    .option('--fail-on-regression', 'exit 4 when the candidate is worse with p < --alpha, or its success rate dropped by more than --max-drop')
    .option('--alpha <p>', 'significance level for a regression', '0.05')
    .option('--max-drop <fraction>', 'largest tolerated drop of the success rate (0.02 or 2%)', '0.02')
    .action(async (base: string, candidate: string, flags: Record<string, unknown>) => {
      const alpha = parseFraction('--alpha', flags.alpha, 0.05, true);
      const maxDrop = parseFraction('--max-drop', flags.maxDrop, 0.02);
      const [{ loadRuns }, { compareRuns, formatComparison }] = await Promise.all([import('../report/run-sources.js'), import('../report/comparison.js')]);
      const [baseRun, candidateRun] = await loadRuns([base, candidate], { env: io.env ?? process.env });
      const comparison = compareRuns(baseRun!, candidateRun!, { alpha, maxDrop });
      if (flags.json) io.out(JSON.stringify(comparison, null, 2));
      else for (const line of formatComparison(comparison)) io.out(line);
      if (flags.failOnRegression && comparison.regression) io.setExitCode(EXIT_REGRESSION);
    });
}
