/**
 * The Hugging Face Hub in the CLI: `agent-eval push <run-dir>`, `agent-eval cleanup`, the Hub flags of
 * `agent-eval run` (`hubRunFlags`) and publishing after a run with `--output-format hub`
 * (`publishAfterRun`). Printing happens here; the work is in src/sinks/hub.ts and src/hub/.
 */
import { resolve } from 'node:path';
import { Option, type Command } from './commander.js';
import { InputError } from '../errors.js';
import type { RunResult } from '../eval/types.js';
import type { RetryOptions } from '../hub/index.js';
import { checkHubPublishOptions } from '../hub/repo-names.js';
import type { HubPublishOptions, HubPublishResult } from '../sinks/hub.js';
import type { CleanupFlags } from './cleanup-command.js';
import type { CopyDatasetsFlags } from './copy-datasets-command.js';

export interface HubCommandIo {
  out(line: string): void;
  err(line: string): void;
  setExitCode(code: number): void;
  /** Where cleanup's typed confirmations come from (process.stdin). */
  input: NodeJS.ReadableStream;
  /** Whether stdin is a terminal (process.stdin.isTTY). */
  isTTY: boolean;
  /** Default process.env. */
  env?: Record<string, string | undefined>;
  /** Hub call retries; default 3 tries from 1 s. */
  retry?: RetryOptions;
}

export type HubOutput = Pick<HubCommandIo, 'out' | 'err' | 'env' | 'retry'>;

const DEFAULT_PREFIX = 'smoltrace';
const LOGIN = 'set HF_TOKEN, pass --hf-token-file, or run `hf auth login`';

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The publishing options from commander's values (`run` or `push`); --private with --public is an error. */
export function hubPublishOptions(flags: Record<string, unknown>, env: Record<string, string | undefined>, retry?: RetryOptions): HubPublishOptions {
  if (flags.private && flags.public) throw new InputError('--private and --public: choose one');
  const options: HubPublishOptions = {
    prefix: text(flags.datasetPrefix) ?? DEFAULT_PREFIX,
    private: !flags.public,
    env,
    ...(text(flags.leaderboardRepo) !== undefined && { leaderboardRepo: text(flags.leaderboardRepo) }),
    ...(text(flags.hfTokenFile) !== undefined && { hfTokenFile: text(flags.hfTokenFile) }),
    ...(retry && { retry }),
  };
  checkHubPublishOptions(options);
  return options;
}

/**
 * Checks `run`'s Hub flags before the run starts, so a long run does not end in a failed push: with
 * `--output-format hub` a token must exist and whoami must answer, and the closed profile refuses.
 */
export async function checkHubRunFlags(flags: Record<string, unknown>, env: Record<string, string | undefined> = process.env): Promise<void> {
  const options = hubPublishOptions(flags, env);
  if (flags.outputFormat !== 'hub') return;
  if (flags.securityProfile === 'closed' || flags.securityProfile === 'bfsi-closed') {
    throw new InputError('--output-format hub: not allowed with --security-profile closed (no data may leave this machine); use --output-format json');
  }
  const { HubClient } = await import('../hub/index.js');
  const { client, token } = await HubClient.fromEnvironment({ env, ...(options.hfTokenFile !== undefined && { tokenFile: options.hfTokenFile }) });
  if (!token) throw new InputError(`--output-format hub needs a Hub token with write access: ${LOGIN}`);
  await client.whoami();
}

/**
 * SMOLTRACE's deprecated `--hf-token`: accepted, with a warning, as HF_TOKEN for this process (so
 * `--hf-token-file` still wins, as in SMOLTRACE). Refused with the closed profile, as bfsi-closed did.
 */
export function applyHfTokenFlag(flags: Record<string, unknown>, env: Record<string, string | undefined>, warn: (line: string) => void): void {
  if (flags.hfToken === undefined) return;
  const token = typeof flags.hfToken === 'string' ? flags.hfToken.trim() : '';
  if (flags.securityProfile === 'closed' || flags.securityProfile === 'bfsi-closed') {
    throw new InputError('--hf-token: not allowed with --security-profile closed (it shows in the process list); use HF_TOKEN or --hf-token-file');
  }
  if (!token.startsWith('hf_') || /\s/.test(token)) throw new InputError('--hf-token: this is not a Hugging Face token (tokens start with "hf_")');
  warn('[WARN] --hf-token shows the token in the process list and the shell history; prefer HF_TOKEN or --hf-token-file');
  if (flags.hfTokenFile !== undefined) warn('[WARN] --hf-token-file wins over --hf-token');
  env.HF_TOKEN = token;
}

/** Adds the Hub flags to `agent-eval run` and checks them (token, whoami) before the run starts. */
export function hubRunFlags(command: Command, warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Command {
  return command
    .option('--dataset-revision <rev>', 'Hub task dataset: branch, tag or commit to read (its commit sha is recorded; default: the current main, not pinned)')
    .option('--hf-token-file <file>', 'file holding the Hugging Face token (default: HF_TOKEN, then the cached login)')
    .option('--hf-token <token>', 'deprecated (SMOLTRACE): the token itself; it shows in the process list, so prefer HF_TOKEN or --hf-token-file (which wins)')
    .option('--dataset-prefix <prefix>', 'name prefix of the Hub datasets written by --output-format hub', DEFAULT_PREFIX)
    .option('--private', 'create the Hub datasets private (the default)')
    .option('--public', 'create the Hub datasets public')
    .option('--leaderboard-repo <repo>', 'leaderboard dataset "owner/name" (default: {user}/{prefix}-leaderboard)')
    .hook('preAction', async (_command, action) => {
      applyHfTokenFlag(action.opts(), process.env, warn);
      await checkHubRunFlags(action.opts(), process.env);
    });
}

/** Prints the pushed datasets; the console ends with their URLs. */
function printPublished(published: HubPublishResult, isPrivate: boolean, io: HubOutput): void {
  for (const notice of published.notices) io.err(`[NOTE] ${notice}`);
  const { pushed } = published;
  io.out('');
  io.out(`[SUCCESS] Results pushed to the Hugging Face Hub as ${published.user} (new datasets are ${isPrivate ? 'private' : 'public'}):`);
  io.out(`  results:     ${pushed.results.url}`);
  io.out(`  traces:      ${pushed.traces ? pushed.traces.url : 'none (the run has no traces; use --enable-otel)'}`);
  io.out(`  metrics:     ${pushed.metrics.url}`);
  io.out(`  leaderboard: ${pushed.leaderboard.file === null ? 'none (a shard writes no row; merge the shards with agent-eval merge ... --push)' : pushed.leaderboard.url}`);
}

/**
 * After `agent-eval run` wrote the local files: with `--output-format hub`, publishes the run and
 * prints the dataset URLs. An interrupted run is not published (it says how to finish and push it).
 * A failed push throws a StartupError that says how to push the saved run later.
 */
export async function publishAfterRun(run: RunResult, directory: string, flags: Record<string, unknown>, io: HubOutput, reportPath?: string): Promise<void> {
  if (flags.outputFormat !== 'hub') return;
  if (run.interrupted) {
    io.err(`[HUB] not published: the run was interrupted; finish it with --resume ${directory}, then publish it with: agent-eval push ${directory}`);
    return;
  }
  const options = hubPublishOptions(flags, io.env ?? process.env, io.retry);
  const { publishRunToHub } = await import('../sinks/hub.js');
  const published = await publishRunToHub(run, { directory }, options);
  printPublished(published, options.private !== false, io);
  if (reportPath === undefined) return;
  // The datasets are pushed: a report that fails to upload is said, not a failed run.
  const { uploadReport } = await import('../report/hub-upload.js');
  try {
    const url = await uploadReport(published.pushed.results.repo, reportPath, { env: options.env, ...(options.hfTokenFile !== undefined && { hfTokenFile: options.hfTokenFile }), ...(io.retry && { retry: io.retry }) });
    io.out(`  report:      ${url}`);
  } catch (error) {
    io.err(`[REPORT] not uploaded to ${published.pushed.results.repo} (${(error as Error).message}); the report is at ${reportPath}`);
  }
}

/** Adds `agent-eval push <run-dir>`, `agent-eval cleanup` and `agent-eval copy-datasets`. */
export function registerHubCommands(program: Command, io: HubCommandIo): void {
  program
    .command('push')
    .description('publish a saved run directory to the Hugging Face Hub (results, traces, metrics, leaderboard row)')
    .argument('<run-dir>', 'a run directory written by agent-eval run')
    .option('--dataset-prefix <prefix>', 'name prefix of the Hub datasets', DEFAULT_PREFIX)
    .option('--private', 'create the datasets private (the default)')
    .option('--public', 'create the datasets public')
    .option('--leaderboard-repo <repo>', 'leaderboard dataset "owner/name" (default: {user}/{prefix}-leaderboard)')
    .option('--hf-token-file <file>', 'file holding the Hugging Face token (default: HF_TOKEN, then the cached login)')
    .action(async (runDir: string, flags: Record<string, unknown>) => {
      const options = hubPublishOptions(flags, io.env ?? process.env, io.retry);
      const { publishRunDirectory } = await import('../sinks/hub.js');
      printPublished(await publishRunDirectory(resolve(runDir), options), options.private !== false, io);
      io.setExitCode(0);
    });

  program
    .command('cleanup')
    .description('delete old per-run Hub datasets (a dry run unless --no-dry-run); task datasets are never deleted, the leaderboard only with --delete-leaderboard')
    .option('--older-than <age>', 'runs older than this: 7d, 2w, 1m or a number of days')
    .option('--keep-recent <n>', 'all runs but the N most recent (0 allowed)')
    .option('--incomplete-only', 'runs missing their results, traces or metrics dataset')
    .option('--all', 'every run')
    .addOption(new Option('--only <part>', 'delete only this dataset of each selected run').choices(['results', 'traces', 'metrics']))
    .option('--dataset-prefix <prefix>', 'name prefix of the Hub datasets', DEFAULT_PREFIX)
    .option('--dry-run', 'list what would be deleted and delete nothing', true)
    .option('--no-dry-run', 'delete (after typing DELETE, or with --yes)')
    .option('--preserve-leaderboard', 'keep the leaderboard (the default)')
    .option('--delete-leaderboard', 'also delete {user}/{prefix}-leaderboard (typed DELETE LEADERBOARD, or --yes); alone, deletes only the leaderboard')
    .option('-y, --yes', 'skip the confirmation prompts (automation)')
    .option('--hf-token-file <file>', 'file holding the Hugging Face token (default: HF_TOKEN, then the cached login)')
    .action(async (flags: CleanupFlags) => {
      const { cleanupCommand } = await import('./cleanup-command.js');
      io.setExitCode(await cleanupCommand(flags, { ...io, env: io.env ?? process.env }));
    });

  program
    .command('copy-datasets')
    .description("copy SMOLTRACE's task datasets (smoltrace-benchmark-v1, smoltrace-tasks) into your Hub namespace, byte for byte at one commit")
    .addOption(new Option('--only <dataset>', 'copy just one of them').choices(['benchmark', 'tasks']))
    .option('--source-user <user>', 'owner of the datasets to copy', 'kshitijthakkar')
    .option('--private', 'create the copies private (the default; SMOLTRACE made them public)')
    .option('--public', 'create the copies public')
    .option('-y, --yes', 'skip the COPY confirmation (automation)')
    .option('--hf-token-file <file>', 'file holding the Hugging Face token (default: HF_TOKEN, then the cached login; there is no --token, which would show in the process list)')
    .action(async (flags: CopyDatasetsFlags) => {
      const { copyDatasetsCommand } = await import('./copy-datasets-command.js');
      io.setExitCode(await copyDatasetsCommand(flags, { ...io, env: io.env ?? process.env }));
    });
}
