import { InputError } from '../errors.js';
import { Option, type Command } from './commander.js';
import type { FlywheelIo } from './import-command.js';

/** zod is imported when the command runs, so `--help` and the other commands load none of it. */
async function codeTimeout(value: unknown): Promise<number | undefined> {
  const { z } = await import('zod');
  const parsed = z.coerce.number({ error: '--code-timeout: must be a number of seconds' }).positive('--code-timeout: must be more than 0').optional().safeParse(value);
  if (!parsed.success) throw new InputError(parsed.error.issues[0]!.message);
  return parsed.data;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((name) => name.trim()).filter(Boolean)];
}

export function registerScoreCommand(program: Command, io: FlywheelIo): void {
  program
    .command('score')
    .description('score a recorded run again (imported, ours or SMOLTRACE\'s) without running the agent')
    .argument('<run>', 'a run directory or a Hub results dataset')
    .option('--scorer <name>', "scorer (repeatable, or a comma list): smoltrace, gaia, judge, exact, includes, regex, bash, tests, ...; default: each task's own, else smoltrace", collect)
    .option('--judge-model <id>', 'the LLM judge (LiteLLM style id), for the judge scorer')
    .option('--judge-base-url <url>', 'an OpenAI-compatible server for the judge model')
    .option('--judge-trajectory', "give the judge the agent's trajectory, not only its final answer")
    .option('-o, --output <run-dir>', 'the new run directory to write')
    .option('--in-place', 'update the run directory itself (results.json, leaderboard row, metadata)')
    .option('--force', 'replace -o when it exists')
    .option('--tasks <file>', "task rows (JSON/JSONL) joined on the task ids, instead of the run's own task set")
    .option('--code-timeout <seconds>', "tests scorer: wall-clock limit per Python step (the recorded code steps, each assert); default the run's, else 30")
    .addOption(new Option('--security-profile <profile>', "closed: no Hub and no judge model, as in run; default the run's own").choices(['standard', 'closed', 'bfsi-closed']))
    .action(async (source: string, flags: Record<string, unknown>) => {
      const { rescoreRun } = await import('../rescore/rescore-run.js');
      const codeTimeoutSeconds = await codeTimeout(flags.codeTimeout);
      const summary = await rescoreRun({
        run: source,
        ...(Array.isArray(flags.scorer) && { scorers: flags.scorer as string[] }),
        ...(typeof flags.judgeModel === 'string' && { judge: { model: flags.judgeModel, ...(typeof flags.judgeBaseUrl === 'string' && { baseUrl: flags.judgeBaseUrl }), includeTrajectory: flags.judgeTrajectory === true } }),
        ...(typeof flags.output === 'string' && { output: flags.output }),
        inPlace: flags.inPlace === true,
        ...(typeof flags.tasks === 'string' && { tasksFile: flags.tasks }),
        force: flags.force === true,
        env: io.env ?? process.env,
        ...(codeTimeoutSeconds !== undefined && { codeTimeoutSeconds }),
        ...(typeof flags.securityProfile === 'string' && { securityProfile: flags.securityProfile === 'standard' ? 'standard' : 'closed' }),
      });
      for (const line of summary.notices) io.err(`[NOTE] ${line}`);
      for (const line of summary.skipped) io.err(`[WARN] not scored: ${line}`);
      const rate = summary.scored ? ((summary.passed / summary.scored) * 100).toFixed(1) : '0.0';
      io.out(`[SCORE] ${summary.passed}/${summary.scored} passed (${rate}%) with ${summary.scorers.join(', ')}: ${summary.directory}`);
    });
}
