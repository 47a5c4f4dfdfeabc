import { InputError } from '../errors.js';
import type { Command } from './commander.js';
import type { FlywheelIo } from './import-command.js';

function clustersFlag(value: unknown): number | 'auto' {
  if (value === undefined || value === 'auto') return 'auto';
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InputError(`--clusters ${String(value)}: give auto or a whole number of at least 1`);
  return number;
}

export function registerFailuresCommand(program: Command, io: FlywheelIo): void {
  program
    .command('failures')
    .description('group the failed tasks of runs into clusters and write them as a task dataset (to run again, or to push)')
    .argument('<runs...>', 'run directories or Hub results datasets')
    .option('-o, --output <file>', 'the task dataset: a .jsonl file (or .json, one array) that run --dataset-name loads', 'failures.jsonl')
    .option('--force', 'replace an existing -o file')
    .option('--clusters <n>', 'auto (split where texts differ) or a number of clusters', 'auto')
    .option('--judge-model <id>', 'a model that names each cluster (LiteLLM style id)')
    .option('--judge-base-url <url>', 'an OpenAI-compatible server for the judge model')
    .option('--variants <n>', 'with --judge-model: also generate N harder variants of each failed task')
    .option('--push <owner/name>', 'push the dataset to this private Hub dataset, with a card')
    .action(async (runs: string[], flags: Record<string, unknown>) => {
      const clusters = clustersFlag(flags.clusters);
      let variants: number | undefined;
      if (flags.variants !== undefined) {
        variants = Number(flags.variants);
        if (!Number.isInteger(variants) || variants < 1 || variants > 20) throw new InputError(`--variants ${String(flags.variants)}: must be a whole number from 1 to 20`);
        if (typeof flags.judgeModel !== 'string') throw new InputError('--variants: needs --judge-model (the model writes the variants)');
      }
      if (flags.judgeBaseUrl !== undefined && typeof flags.judgeModel !== 'string') throw new InputError('--judge-base-url: needs --judge-model');
      const { collectFailures } = await import('../failures/failures-run.js');
      const summary = await collectFailures({
        runs,
        output: String(flags.output),
        clusters,
        force: Boolean(flags.force),
        env: io.env ?? process.env,
        ...(typeof flags.judgeModel === 'string' && { judge: { model: flags.judgeModel, ...(typeof flags.judgeBaseUrl === 'string' && { baseUrl: flags.judgeBaseUrl }) } }),
        ...(variants !== undefined && { variants }),
        ...(typeof flags.push === 'string' && { push: flags.push }),
      });
      if (summary.unscored) io.err(`[NOTE] ${summary.unscored} task(s) not scored yet were left out (agent-eval score scores them)`);
      io.out(`[FAILURES] ${summary.failed} failure(s) of ${summary.tasks} task(s) in ${summary.clusters.length} cluster(s)`);
      for (const cluster of summary.clusters) {
        io.out(`  #${cluster.id} ${cluster.name} (${cluster.size}) e.g. ${cluster.examples.join(', ')}${cluster.models.length ? ` | models: ${cluster.models.join(', ')}` : ''}`);
      }
      if (summary.variants) io.out(`[FAILURES] ${summary.variants} generated variant(s) added (generated: true)`);
      io.out(`[FAILURES] task dataset: ${summary.path} (agent-eval run --dataset-name ${summary.path})`);
      if (summary.url) io.out(`[PUSH] ${summary.url} (private)`);
    });
}
