/**
 * Reading results: `agent-eval report`, `compare` and `query`. `registerReadingCommands` only declares
 * the commands; each action imports its work lazily, so `--help` loads none of it.
 */
import { spawn } from 'node:child_process';
import type { Command } from './commander.js';
import { InputError } from '../errors.js';
import { registerCompareCommand } from './compare-command.js';
import { registerQueryCommand } from './query-command.js';

export interface ReadingCommandIo {
  out(line: string): void;
  err(line: string): void;
  setExitCode(code: number): void;
  /** Default process.env (the Hub token for Hub datasets). */
  env?: Record<string, string | undefined>;
}

function positiveInteger(flag: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InputError(`${flag} ${String(value)}: must be a whole number of at least 1`);
  return number;
}

/** Opens the file with the desktop's viewer; a failure is a note, not an error. */
function openFile(path: string, io: ReadingCommandIo): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(command, [path], { detached: true, stdio: 'ignore' });
  child.on('error', () => io.err(`[NOTE] could not open ${path} with ${command}; open it in a browser`));
  child.unref();
}

function registerReportCommand(program: Command, io: ReadingCommandIo): void {
  program
    .command('report')
    .description('write one self-contained HTML report (plots, task table, drill-downs) for one or more runs')
    .argument('<runs...>', 'run directories, Hub results datasets (owner/smoltrace-results-...) or a Hub leaderboard dataset')
    .option('-o, --output <file>', 'the HTML file (default: report.html in the run directory for one run, else in the current directory)')
    .option('--title <text>', 'the page title')
    .option('--group-by <columns>', 'more task columns to break success down by, comma-separated (e.g. a Hub dataset column)')
    .option('--limit <n>', 'with a leaderboard dataset: only the N newest runs')
    .option('--open', 'open the report in the default browser')
    .action(async (sources: string[], flags: Record<string, unknown>) => {
      const limit = positiveInteger('--limit', flags.limit);
      const groupBy = typeof flags.groupBy === 'string' ? flags.groupBy.split(',').map((column) => column.trim()).filter(Boolean) : [];
      const { writeReport } = await import('../report/write-report.js');
      const written = await writeReport(sources, {
        env: io.env ?? process.env,
        ...(typeof flags.output === 'string' && { output: flags.output }),
        ...(typeof flags.title === 'string' && { title: flags.title }),
        ...(limit !== undefined && { limit }),
        groupBy,
      });
      for (const note of written.notes) io.err(`[NOTE] ${note}`);
      io.out(`[REPORT] ${written.path} (${written.runs} run(s), ${written.tasks} task(s), ${(written.bytes / 1024).toFixed(0)} KiB)`);
      if (flags.open) openFile(written.path, io);
    });
}

/** Declares `report`, `compare` and `query` on the program. */
export function registerReadingCommands(program: Command, io: ReadingCommandIo): void {
  registerReportCommand(program, io);
  registerCompareCommand(program, io);
  registerQueryCommand(program, io);
}
