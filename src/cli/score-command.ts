import type { Command } from './commander.js';
import type { FlywheelIo } from './import-command.js';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((name) => name.trim()).filter(Boolean)];
}

export function registerScoreCommand(program: Command, io: FlywheelIo): void {
  program
    .command('score')
    .description('score a recorded run again (imported, ours or SMOLTRACE\'s) without running the agent')
    .argument('<run>', 'a run directory or a Hub results dataset')
    .option('--scorer <name>', "scorer (repeatable, or a comma list): smoltrace, gaia, judge, exact, includes, regex, bash, ...; default: each task's own, else smoltrace", collect)
    .option('--judge-model <id>', 'the LLM judge (LiteLLM style id), for the judge scorer')
    .option('--judge-base-url <url>', 'an OpenAI-compatible server for the judge model')
    .option('--judge-trajectory', "give the judge the agent's trajectory, not only its final answer")
    .option('-o, --output <run-dir>', 'the new run directory to write')
    .option('--in-place', 'update the run directory itself (results.json, leaderboard row, metadata)')
    .option('--force', 'replace -o when it exists')
    .option('--tasks <file>', "task rows (JSON/JSONL) joined on the task ids, instead of the run's own task set")
    .action(async (source: string, flags: Record<string, unknown>) => {
      const { rescoreRun } = await import('../rescore/rescore-run.js');
      const summary = await rescoreRun({
        run: source,
        ...(Array.isArray(flags.scorer) && { scorers: flags.scorer as string[] }),
        ...(typeof flags.judgeModel === 'string' && { judge: { model: flags.judgeModel, ...(typeof flags.judgeBaseUrl === 'string' && { baseUrl: flags.judgeBaseUrl }), includeTrajectory: flags.judgeTrajectory === true } }),
        ...(typeof flags.output === 'string' && { output: flags.output }),
        inPlace: flags.inPlace === true,
        ...(typeof flags.tasks === 'string' && { tasksFile: flags.tasks }),
        force: flags.force === true,
        env: io.env ?? process.env,
      });
      for (const line of summary.skipped) io.err(`[WARN] not scored: ${line}`);
      const rate = summary.scored ? ((summary.passed / summary.scored) * 100).toFixed(1) : '0.0';
      io.out(`[SCORE] ${summary.passed}/${summary.scored} passed (${rate}%) with ${summary.scorers.join(', ')}: ${summary.directory}`);
    });
}
