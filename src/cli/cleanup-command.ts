/**
 * `agent-eval cleanup`: SMOLTRACE's smoltrace-cleanup (spec 1.2, 8) on top of src/hub/cleanup.ts.
 * A dry run by default; `--no-dry-run` deletes after the user types DELETE (and YES DELETE ALL first
 * for --all), or at once with --yes. The leaderboard and task datasets are never candidates.
 */
import { createInterface } from 'node:readline';
import { InputError } from '../errors.js';
import type { CleanupOptions, DiscoveredRun, RetryOptions, RunPart } from '../hub/index.js';

export interface CleanupIo {
  out(line: string): void;
  err(line: string): void;
  /** Where typed confirmations come from. */
  input: NodeJS.ReadableStream;
  /** Whether a person can answer (stdin is a terminal). */
  isTTY: boolean;
  env: Record<string, string | undefined>;
  retry?: RetryOptions;
}

export interface CleanupFlags {
  olderThan?: string;
  keepRecent?: string;
  incompleteOnly?: boolean;
  all?: boolean;
  only?: RunPart;
  datasetPrefix: string;
  dryRun: boolean;
  yes?: boolean;
  hfTokenFile?: string;
}

const RULE = '='.repeat(70);
const LOGIN = 'set HF_TOKEN, pass --hf-token-file, or run `hf auth login`';

/** The selector flags as CleanupOptions; exactly one is required. Checked before any Hub call. */
export function cleanupOptions(flags: CleanupFlags, parseOlderThan: (text: string) => number): CleanupOptions {
  const given = [
    flags.olderThan !== undefined && '--older-than',
    flags.keepRecent !== undefined && '--keep-recent',
    flags.incompleteOnly && '--incomplete-only',
    flags.all && '--all',
  ].filter((flag): flag is string => typeof flag === 'string');
  if (given.length !== 1) {
    throw new InputError(
      given.length
        ? `cleanup: ${given.join(' and ')} cannot be combined; choose one of --older-than, --keep-recent, --incomplete-only or --all`
        : 'cleanup: choose what to delete with one of --older-than 7d, --keep-recent N, --incomplete-only or --all',
    );
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(flags.datasetPrefix)) {
    throw new InputError(`--dataset-prefix ${flags.datasetPrefix}: only letters, digits, '.', '_' and '-' (e.g. smoltrace)`);
  }
  const options: CleanupOptions = { ...(flags.only && { only: flags.only }) };
  if (flags.olderThan !== undefined) options.olderThanDays = parseOlderThan(flags.olderThan);
  if (flags.keepRecent !== undefined) {
    if (!/^\d+$/.test(flags.keepRecent.trim())) throw new InputError(`--keep-recent ${flags.keepRecent}: give a whole number of runs to keep (0 or more)`);
    options.keepRecent = Number(flags.keepRecent.trim());
  }
  if (flags.incompleteOnly) options.incompleteOnly = true;
  if (flags.all) options.all = true;
  return options;
}

/** Asks each question in turn; true only when every answer is exactly the expected text. */
export async function confirm(io: Pick<CleanupIo, 'out' | 'input'>, questions: { question: string; answer: string }[]): Promise<boolean> {
  const reader = createInterface({ input: io.input, terminal: false });
  const lines = reader[Symbol.asyncIterator]();
  try {
    for (const { question, answer } of questions) {
      io.out(question);
      const line = await lines.next();
      if (line.done || line.value.trim() !== answer) return false;
    }
    return true;
  } finally {
    reader.close();
  }
}

function countParts(runs: readonly DiscoveredRun[]): string {
  const count = (part: RunPart) => runs.filter((run) => run.repos[part]).length;
  return `${count('results')} results, ${count('traces')} traces, ${count('metrics')} metrics datasets`;
}

/** Runs `agent-eval cleanup`; returns the exit code (1 when a deletion failed or was cancelled). */
export async function cleanupCommand(flags: CleanupFlags, io: CleanupIo): Promise<number> {
  const hub = await import('../hub/index.js');
  const options = cleanupOptions(flags, hub.parseOlderThan);
  const dryRun = flags.dryRun !== false;
  if (!dryRun && !flags.yes && !io.isTTY) {
    throw new InputError('confirmation needed: pass --yes (stdin is not a terminal, so DELETE cannot be typed)');
  }
  const { client, token } = await hub.HubClient.fromEnvironment({
    env: io.env,
    ...(flags.hfTokenFile !== undefined && { tokenFile: flags.hfTokenFile }),
    ...(io.retry && { retry: io.retry }),
  });
  if (!token) throw new InputError(`cleanup needs a Hub token: ${LOGIN}`);
  const { name: user } = await client.whoami();
  const prefix = flags.datasetPrefix;

  io.out(RULE);
  io.out(`agent-eval Hub dataset cleanup${dryRun ? ' (DRY-RUN)' : ''}`);
  io.out(RULE);
  io.out(`[INFO] User: ${user} on ${client.hubUrl}; datasets named ${user}/${prefix}-(results|traces|metrics)-YYYYMMDD_HHMMSS`);
  const runs = await hub.discoverRuns(client, user, prefix);
  const incomplete = runs.filter((run) => !run.complete).length;
  io.out(`[INFO] Discovered ${countParts(runs)} in ${runs.length} run(s)${incomplete ? `, ${incomplete} incomplete` : ''}`);
  io.out(`[INFO] Never deleted: the leaderboard (${user}/${prefix}-leaderboard) and task datasets`);

  const plan = hub.planCleanup(runs, options);
  io.out('');
  io.out(`Selection: ${plan.selector}`);
  io.out(`Runs to delete: ${plan.runs.length} (kept: ${plan.kept.length})`);
  io.out(`Datasets to delete: ${plan.repos.length}`);
  io.out('Leaderboard: preserved');
  plan.repos.forEach((repo, index) => io.out(`  ${index + 1}. ${repo}`));
  if (plan.repos.length === 0) {
    io.out('Nothing to delete.');
    return 0;
  }
  if (dryRun) {
    io.out('');
    io.out(`This is a DRY-RUN: nothing was deleted. To delete these ${plan.repos.length} dataset(s), run again with --no-dry-run.`);
    return 0;
  }
  if (!flags.yes) {
    const questions = [
      ...(options.all ? [{ question: `This deletes the datasets of ALL ${plan.runs.length} run(s). Type YES DELETE ALL to continue:`, answer: 'YES DELETE ALL' }] : []),
      { question: `Type DELETE to delete these ${plan.repos.length} dataset(s) for good (anything else cancels):`, answer: 'DELETE' },
    ];
    if (!(await confirm(io, questions))) {
      io.err('Cancelled: nothing was deleted.');
      return 1;
    }
  }
  io.out('');
  const report = await hub.executeCleanup(plan, client, {
    onResult: (result) => (result.ok ? io.out(`✓ ${result.repo}`) : io.out(`✗ ${result.repo}: ${result.error ?? 'failed'}`)),
  });
  io.out('');
  io.out(`Deleted ${report.deleted.length} of ${plan.repos.length} dataset(s); leaderboard preserved.`);
  if (report.failed.length) {
    io.err(`[FAIL] ${report.failed.length} deletion(s) failed; run the same command again to retry them`);
    return 1;
  }
  return 0;
}
