/**
 * `agent-eval copy-datasets`: SMOLTRACE's smoltrace-copy-datasets (spec 1.3) on src/hub/copy-datasets.ts.
 * Shows what goes where, asks for COPY (or --yes), then copies; exit 1 when a copy failed or was cancelled.
 */
import { InputError } from '../errors.js';
import type { CopyableDataset } from '../hub/copy-datasets.js';
import { confirm, type CleanupIo } from './cleanup-command.js';

export interface CopyDatasetsFlags {
  only?: CopyableDataset;
  sourceUser?: string;
  private?: boolean;
  public?: boolean;
  yes?: boolean;
  hfTokenFile?: string;
}

const LOGIN = 'set HF_TOKEN, pass --hf-token-file, or run `hf auth login`';

/** Runs `agent-eval copy-datasets`; returns the exit code (1 when a copy failed or was cancelled). */
export async function copyDatasetsCommand(flags: CopyDatasetsFlags, io: CleanupIo): Promise<number> {
  if (flags.private && flags.public) throw new InputError('--private and --public: choose one');
  if (flags.sourceUser !== undefined && !/^[A-Za-z0-9][\w.-]*$/.test(flags.sourceUser)) throw new InputError(`--source-user ${flags.sourceUser}: not a Hub user name`);
  if (!flags.yes && !io.isTTY) throw new InputError('confirmation needed: pass --yes (stdin is not a terminal, so COPY cannot be typed)');
  const [{ HubClient }, copy] = await Promise.all([import('../hub/index.js'), import('../hub/copy-datasets.js')]);
  const { client, token } = await HubClient.fromEnvironment({
    env: io.env,
    ...(flags.hfTokenFile !== undefined && { tokenFile: flags.hfTokenFile }),
    ...(io.retry && { retry: io.retry }),
  });
  if (!token) throw new InputError(`copy-datasets needs a Hub token: ${LOGIN}`);
  const { name: user } = await client.whoami();
  const isPrivate = !flags.public;
  const plan = await copy.planCopy(client, user, { ...(flags.sourceUser && { sourceUser: flags.sourceUser }), ...(flags.only && { only: flags.only }) });
  io.out(`[INFO] Copying to ${user} on ${client.hubUrl} as ${isPrivate ? 'private' : 'public'} datasets`);
  for (const entry of plan) {
    if (entry.skip) io.out(`[SKIP] ${entry.source}: ${entry.skip}`);
    else io.out(`${entry.exists ? '[EXISTS]' : '[NEW]'} ${entry.source} -> ${entry.destination}${entry.exists ? ' (OVERWRITTEN: one new commit mirrors the source, deleting files it lacks)' : ''}`);
  }
  const todo = plan.filter((entry) => !entry.skip);
  if (todo.length === 0) {
    io.out('Nothing to copy.');
    return 0;
  }
  if (!flags.yes && !(await confirm(io, [{ question: `Type COPY to copy ${todo.length} dataset(s) (anything else cancels):`, answer: 'COPY' }]))) {
    io.err('Cancelled: nothing was copied.');
    return 1;
  }
  const results = await copy.executeCopy(client, plan, {
    private: isPrivate,
    onResult: (result) => {
      io.out(result.ok ? `✓ ${result.destination} (${result.files} file(s) from ${result.source}@${result.sha!.slice(0, 7)})` : `✗ ${result.destination}: ${result.error}`);
      if (result.deleted) io.out(`  deleted ${result.deleted.length} file(s) ${result.source} does not have: ${result.deleted.join(', ')}`);
    },
  });
  const failed = results.filter((result) => !result.ok).length;
  io.out(`Copied: ${results.length - failed}, failed: ${failed}, skipped: ${plan.length - todo.length}`);
  return failed ? 1 : 0;
}
