/**
 * `agent-eval merge <run>... -o <run-dir>`: shards of one evaluation (`run --shard I/N`), as run
 * directories or as their Hub results datasets ("owner/name", downloaded to a temporary folder), into
 * the run directory the unsharded run would have written; `--push` publishes it like `--output-format hub`.
 * The work is imported when the command runs, so `--help` loads none of it.
 */
import type { Command } from './commander.js';
import { hubPublishOptions } from './hub-commands.js';

export interface MergeCommandIo {
  out(line: string): void;
  err(line: string): void;
  setExitCode(code: number): void;
  env?: Record<string, string | undefined>;
}

export function registerMergeCommand(program: Command, io: MergeCommandIo): void {
  program
    .command('merge')
    .description('merge the shards of a run (run --shard I/N, same --run-id) into one run, as the unsharded run would have written it')
    .argument('<runs...>', 'the shards: run directories, or Hub results datasets "owner/{prefix}-results-{timestamp}-shard-I-of-N"')
    .requiredOption('-o, --output <run-dir>', 'the merged run directory (must not exist, unless --force)')
    .option('--force', 'replace an existing -o directory (only once the merged run is complete)')
    .option('--allow-missing', 'merge even when some shards are missing (the run then lacks their tasks)')
    .option('--push', 'publish the merged run to the Hugging Face Hub, like --output-format hub')
    .option('--dataset-prefix <prefix>', 'with --push: name prefix of the Hub datasets', 'smoltrace')
    .option('--private', 'with --push: create the datasets private (the default)')
    .option('--public', 'with --push: create the datasets public')
    .option('--leaderboard-repo <repo>', 'with --push: leaderboard dataset "owner/name"')
    .option('--hf-token-file <file>', 'file holding the Hugging Face token, to read private Hub shards and to --push (default: HF_TOKEN, then the cached login)')
    .action(async (runs: string[], flags: Record<string, unknown>) => {
      const env = io.env ?? process.env;
      // Publishing flags are checked before anything is written.
      const publish = flags.push ? hubPublishOptions(flags, env) : undefined;
      const { mergeRuns } = await import('../scale/hub-shards.js');
      const merged = await mergeRuns(runs, String(flags.output), {
        allowMissing: Boolean(flags.allowMissing),
        force: Boolean(flags.force),
        env,
        ...(typeof flags.hfTokenFile === 'string' && { hfTokenFile: flags.hfTokenFile }),
      });
      io.out(`[MERGED] ${merged.shards} shard(s), ${merged.tasks} task(s), run ${merged.runId} -> ${merged.directory}`);
      if (publish) {
        const { publishRunDirectory } = await import('../sinks/hub.js');
        const published = await publishRunDirectory(merged.directory, publish);
        for (const notice of published.notices) io.err(`[NOTE] ${notice}`);
        io.out(`[SUCCESS] merged run pushed to the Hugging Face Hub as ${published.user}:`);
        for (const url of published.urls) io.out(`  ${url}`);
      }
      io.setExitCode(0);
    });
}
