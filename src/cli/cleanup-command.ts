/**
 * `agent-eval cleanup`: SMOLTRACE's smoltrace-cleanup (spec 1.2, 8) on top of src/hub/cleanup.ts.
 * A dry run by default; `--no-dry-run` deletes after the user types DELETE (and YES DELETE ALL first
 * for --all), or at once with --yes. Task datasets are never candidates; the leaderboard is preserved
 * unless `--delete-leaderboard` asks for it, which needs its own typed DELETE LEADERBOARD (or --yes).
 */
import { createInterface } from 'node:readline';
import { InputError } from '../errors.js';
import type { CleanupOptions, CleanupPlan, DiscoveredRun, RetryOptions, RunPart } from '../hub/index.js';

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
  /** SMOLTRACE's flag: the default, stated. */
  preserveLeaderboard?: boolean;
  /** Delete `{user}/{prefix}-leaderboard` too (its own confirmation). */
  deleteLeaderboard?: boolean;
}

const RULE = '='.repeat(70);
const LOGIN = 'set HF_TOKEN, pass --hf-token-file, or run `hf auth login`';

/**
 * The selector flags as CleanupOptions; exactly one is required, unless `--delete-leaderboard` is the
 * only thing asked for (then null: no run is selected). Checked before any Hub call.
 */
export function cleanupOptions(flags: CleanupFlags, parseOlderThan: (text: string) => number): CleanupOptions | null {
  if (flags.preserveLeaderboard && flags.deleteLeaderboard) throw new InputError('--preserve-leaderboard and --delete-leaderboard: choose one');
  const given = [
    flags.olderThan !== undefined && '--older-than',
    flags.keepRecent !== undefined && '--keep-recent',
    flags.incompleteOnly && '--incomplete-only',
    flags.all && '--all',
  ].filter((flag): flag is string => typeof flag === 'string');
  if (given.length === 0 && flags.deleteLeaderboard && !flags.only) return checkPrefix(flags, null);
  if (given.length !== 1) {
    throw new InputError(
      given.length
        ? `cleanup: ${given.join(' and ')} cannot be combined; choose one of --older-than, --keep-recent, --incomplete-only or --all`
        : 'cleanup: choose what to delete with one of --older-than 7d, --keep-recent N, --incomplete-only or --all',
    );
  }
  const options: CleanupOptions = { ...(flags.only && { only: flags.only }) };
  if (flags.olderThan !== undefined) options.olderThanDays = parseOlderThan(flags.olderThan);
  if (flags.keepRecent !== undefined) {
    if (!/^\d+$/.test(flags.keepRecent.trim())) throw new InputError(`--keep-recent ${flags.keepRecent}: give a whole number of runs to keep (0 or more)`);
    options.keepRecent = Number(flags.keepRecent.trim());
  }
  if (flags.incompleteOnly) options.incompleteOnly = true;
  if (flags.all) options.all = true;
  return checkPrefix(flags, options);
}

function checkPrefix<T>(flags: CleanupFlags, value: T): T {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(flags.datasetPrefix)) {
    throw new InputError(`--dataset-prefix ${flags.datasetPrefix}: only letters, digits, '.', '_' and '-' (e.g. smoltrace)`);
  }
  return value;
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
  io.out(`[INFO] Never deleted: task datasets; the leaderboard (${user}/${prefix}-leaderboard) only with --delete-leaderboard`);

  const plan: CleanupPlan = options ? hub.planCleanup(runs, options) : { selector: 'no runs (--delete-leaderboard only)', runs: [], kept: runs, repos: [] };
  const leaderboard = flags.deleteLeaderboard ? await hub.findLeaderboard(client, user, prefix) : null;
  io.out('');
  io.out(`Selection: ${plan.selector}`);
  io.out(`Runs to delete: ${plan.runs.length} (kept: ${plan.kept.length})`);
  io.out(`Datasets to delete: ${plan.repos.length}`);
  plan.repos.forEach((repo, index) => io.out(`  ${index + 1}. ${repo}`));
  if (!flags.deleteLeaderboard) io.out('Leaderboard: preserved');
  else io.out(leaderboard ? `Leaderboard: DELETE ${leaderboard} (every run's row in it)` : `Leaderboard: ${user}/${prefix}-leaderboard does not exist; nothing to delete`);
  if (plan.repos.length === 0 && !leaderboard) {
    io.out('Nothing to delete.');
    return 0;
  }
  if (dryRun) {
    const what = [plan.repos.length ? `these ${plan.repos.length} dataset(s)` : '', leaderboard ? 'the leaderboard' : ''].filter(Boolean).join(' and ');
    io.out('');
    io.out(`This is a DRY-RUN: nothing was deleted. To delete ${what}, run again with --no-dry-run.`);
    return 0;
  }
  if (!flags.yes) {
    const questions = [
      ...(options?.all && plan.runs.length ? [{ question: `This deletes the datasets of ALL ${plan.runs.length} run(s). Type YES DELETE ALL to continue:`, answer: 'YES DELETE ALL' }] : []),
      ...(plan.repos.length ? [{ question: `Type DELETE to delete these ${plan.repos.length} dataset(s) for good (anything else cancels):`, answer: 'DELETE' }] : []),
      ...(leaderboard ? [{ question: `Type DELETE LEADERBOARD to delete ${leaderboard} and every run's row in it (anything else cancels):`, answer: 'DELETE LEADERBOARD' }] : []),
    ];
    if (!(await confirm(io, questions))) {
      io.err('Cancelled: nothing was deleted.');
      return 1;
    }
  }
  io.out('');
  const onResult = (result: { repo: string; ok: boolean; error?: string }) => (result.ok ? io.out(`✓ ${result.repo}`) : io.out(`✗ ${result.repo}: ${result.error ?? 'failed'}`));
  const report = await hub.executeCleanup(plan, client, { onResult });
  // The leaderboard goes last, after the run datasets it points to.
  const board = leaderboard ? (await hub.executeCleanup({ repos: [leaderboard] }, client, { onResult })).failed : [];
  io.out('');
  const boardState = !leaderboard ? 'leaderboard preserved' : board.length ? 'the leaderboard could NOT be deleted' : 'leaderboard deleted';
  io.out(`Deleted ${report.deleted.length} of ${plan.repos.length} dataset(s); ${boardState}.`);
  const failed = report.failed.length + board.length;
  if (failed) {
    io.err(`[FAIL] ${failed} deletion(s) failed; run the same command again to retry them`);
    return 1;
  }
  return 0;
}
