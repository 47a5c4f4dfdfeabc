import { InputError } from '../errors.js';
import type { Command } from './commander.js';
import { Option } from './commander.js';
import type { FlywheelIo } from './import-command.js';

function numberFlag(flag: string, value: unknown, check: (number: number) => boolean, expected: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || !check(number)) throw new InputError(`${flag} ${String(value)}: must be ${expected}`);
  return number;
}

export function registerExportCommand(program: Command, io: FlywheelIo): void {
  program
    .command('export')
    .description('export trajectories for training: sft (TRL conversational with tools), dpo pairs, rewards groups (or otlp traces)')
    .argument('<runs...>', 'run directories or Hub results datasets')
    .addOption(new Option('--format <format>', 'what to write').choices(['sft', 'dpo', 'rewards', 'otlp']).makeOptionMandatory())
    .requiredOption('-o, --output <file>', 'FILE.jsonl or FILE.parquet (otlp: a .json file)')
    .option('--only-success', 'only trajectories that passed (dpo: the chosen side)')
    .option('--min-score <x>', "only trajectories whose score is at least X (the --scorer's value, else 1 passed / 0 failed)")
    .option('--scorer <name>', 'the scorer whose value is the score')
    .option('--max-steps <n>', 'only trajectories of at most N steps')
    .option('--no-dedupe', 'keep identical trajectories (sft and rewards drop repeats by default; dpo always keeps every rollout)')
    .option('--push <owner/name>', 'also upload the file to this private Hub dataset')
    .action(async (runs: string[], flags: Record<string, unknown>) => {
      const minScore = numberFlag('--min-score', flags.minScore, () => true, 'a number');
      const maxSteps = numberFlag('--max-steps', flags.maxSteps, (number) => Number.isInteger(number) && number >= 1, 'a whole number of at least 1');
      const { exportRuns, pushFile } = await import('../export/export-run.js');
      const summary = await exportRuns({
        runs,
        format: flags.format as 'sft',
        output: String(flags.output),
        env: io.env ?? process.env,
        onlySuccess: flags.onlySuccess === true,
        dedupe: flags.dedupe !== false,
        ...(minScore !== undefined && { minScore }),
        ...(maxSteps !== undefined && { maxSteps }),
        ...(typeof flags.scorer === 'string' && { scorer: flags.scorer }),
      });
      const dropped = Object.entries(summary.dropped).filter(([, count]) => count > 0).map(([why, count]) => `${count} ${why}`);
      io.out(`[EXPORT] ${summary.rows} ${String(flags.format)} row(s) from ${summary.trajectories} trajectory(ies)${dropped.length ? ` (left out: ${dropped.join(', ')})` : ''}: ${summary.path}`);
      if (typeof flags.push === 'string') {
        const card = `---\nlicense: other\ntags: [agent-eval, ${String(flags.format)}]\n---\n# ${flags.push}\n\n${String(flags.format)} data exported by agent-eval from: ${runs.join(', ')}.\n`;
        io.out(`[PUSH] ${await pushFile(flags.push, summary.path, card, io.env ?? process.env)}`);
      }
    });
}
