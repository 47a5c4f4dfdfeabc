/**
 * The data flywheel's commands: `import`, `score`, `failures` and `export`. Each command declares its
 * flags here and imports its work in its action, so `--help` loads none of it.
 */
import type { Command } from './commander.js';
import { Option } from './commander.js';
import { registerExportCommand } from './export-command.js';
import { registerFailuresCommand } from './failures-command.js';
import { registerScoreCommand } from './score-command.js';

export interface FlywheelIo {
  out(line: string): void;
  err(line: string): void;
  setExitCode(code: number): void;
  env?: Record<string, string | undefined>;
}

const FORMATS = ['auto', 'otel', 'otlp-json', 'smoltrace', 'agenttrace'];

function registerImportCommand(program: Command, io: FlywheelIo): void {
  program
    .command('import')
    .description('import traces of agents run anywhere (OTel GenAI/OpenInference, OTLP JSON, SMOLTRACE, AgentTrace) as a run directory')
    .argument('<sources...>', 'trace files (OTLP JSON, JSON Lines, span lists, AgentTrace JSONL), SMOLTRACE run directories, results files or Hub datasets')
    .addOption(new Option('--format <format>', 'what the sources hold').choices(FORMATS).default('auto'))
    .option('-o, --output <run-dir>', 'the run directory to create (default: imported_<timestamp> here)')
    .option('--force', 'replace the run directory when it exists')
    .option('--tasks <file>', 'task rows (JSON/JSONL) joined on the imported task ids: expected tool, keywords, answers')
    .action(async (sources: string[], flags: Record<string, unknown>) => {
      const { importTraces } = await import('../import/import-run.js');
      const summary = await importTraces({
        sources,
        format: flags.format as 'auto',
        ...(typeof flags.output === 'string' && { output: flags.output }),
        force: flags.force === true,
        ...(typeof flags.tasks === 'string' && { tasksFile: flags.tasks }),
        env: io.env ?? process.env,
      });
      for (const warning of summary.warnings) io.err(`[WARN] ${warning}`);
      const joined = flags.tasks ? `, ${summary.joined} joined with task rows` : '';
      io.out(`[IMPORT] ${summary.tasks} task(s) from ${summary.traces} trace(s) (${summary.formats.join(', ')})${joined}: ${summary.directory}`);
      io.out('[IMPORT] not scored yet: agent-eval score <run-dir> --scorer ...');
    });
}

/** Declares the flywheel's commands on the program. */
export function registerFlywheelCommands(program: Command, io: FlywheelIo): void {
  registerImportCommand(program, io);
  registerScoreCommand(program, io);
  registerFailuresCommand(program, io);
  registerExportCommand(program, io);
}
