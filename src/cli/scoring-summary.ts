/**
 * The end-of-run lines about scoring: each scorer's pass rate when a run used more than SMOLTRACE's
 * rule (a scorer's errors, e.g. judge errors, are counted apart and left out of its rate), the judge's tokens and cost, pass@k with --repeats, and the agreement of smoltrace and the
 * judge (2x2 table and Cohen's kappa) when both scored the same tasks.
 */
import type { RunResult } from '../eval/types.js';
import { agreementLines } from '../scoring/agreement.js';
import { summariseRepeats } from '../scoring/pass-at-k.js';

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

export function scoringSummaryLines(run: RunResult): string[] {
  const totals = run.totals;
  const lines: string[] = [];
  const scorers = [...totals.scorers];
  if (scorers.length > 1 || (scorers.length === 1 && scorers[0]![0] !== 'smoltrace')) {
    const rates = scorers.map(([name, counts]) => `${name} ${counts.passed}/${counts.scored} (${counts.scored ? percent(counts.passed / counts.scored) : '-'}${counts.errors ? `; ${counts.errors} not scored` : ''})`);
    lines.push(`Scorers: ${rates.join(', ')}`);
  }
  if (totals.judged) {
    const cost = totals.judgeCostUsd === null ? 'cost unknown' : `$${totals.judgeCostUsd.toFixed(4)}`;
    lines.push(`Judge: ${totals.judged} task(s), ${totals.judgeInputTokens + totals.judgeOutputTokens} tokens (${totals.judgeInputTokens} in, ${totals.judgeOutputTokens} out), ${cost}`);
  }
  const repeats = run.options.repeats ?? 1;
  if (repeats > 1 && totals.rollouts.size) {
    const summary = summariseRepeats(totals.rollouts.values(), repeats);
    const passAt = Object.entries(summary.passAt).map(([k, value]) => `pass@${k} ${value === null ? '-' : value.toFixed(3)}`);
    const hat = summary.passHatK === null ? '-' : summary.passHatK.toFixed(3);
    const variance = summary.successVariance === null ? '-' : summary.successVariance.toFixed(3);
    lines.push(`Repeats: ${repeats} per task over ${totals.rollouts.size} task(s): ${passAt.join(', ')}, pass^${repeats} ${hat}, mean per-task variance ${variance}`);
  }
  const { agreement } = totals;
  if (agreement.both + agreement.firstOnly + agreement.secondOnly + agreement.neither > 0) {
    lines.push(...agreementLines(agreement, 'smoltrace', 'judge'));
    const judgeErrors = totals.scorers.get('judge')?.errors ?? 0;
    if (judgeErrors) lines.push(`(${judgeErrors} task(s) with a judge error left out: no verdict to compare)`);
  }
  return lines;
}
