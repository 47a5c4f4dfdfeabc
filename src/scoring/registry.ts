/**
 * Scorers by name: what task rows (`scorer`, `scorers`) and `--scorer` may name. One line per scorer.
 */
import { exactScorer } from './exact-scorer.js';
import { includesScorer } from './includes-scorer.js';
import { regexScorer } from './regex-scorer.js';
import { gaiaScorer } from './gaia-scorer.js';
import { judgeScorer } from './judge-scorer.js';
import { goalMetScorer } from './goal-met.js';
import { bashScorer } from './bash.js';
import { smoltraceScorer } from './smoltrace-scorer.js';
import { testsScorer } from './tests.js';
import type { Scorer } from './types.js';

const SCORERS = new Map<string, Scorer>(
  [
    smoltraceScorer,
    gaiaScorer,
    judgeScorer,
    goalMetScorer,
    exactScorer,
    includesScorer,
    regexScorer,
    testsScorer,
    bashScorer,
  ].map((scorer) => [scorer.name, scorer]),
);

/** The default scorer: SMOLTRACE's rule. */
export const DEFAULT_SCORER = 'smoltrace';

export function findScorer(name: string): Scorer | undefined {
  return SCORERS.get(name);
}

export function scorerNames(): string[] {
  return [...SCORERS.keys()];
}
