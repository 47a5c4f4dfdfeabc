/**
 * `agent-eval query "<SQL>" <run>...`: SQL over runs with DuckDB (an optional dependency, imported
 * only here). Tables: results, tool_calls, spans, runs. The work is in src/query/.
 */
import { Option, type Command } from './commander.js';
import type { ReadingCommandIo } from './report-command.js';

export function registerQueryCommand(program: Command, io: ReadingCommandIo): void {
  program
    .command('query')
    .description('SQL over runs (DuckDB): tables results, tool_calls, spans, runs')
    .argument('<sql>', 'one SQL query, e.g. "select agent_type, avg(success::int) from results group by 1"')
    .argument('<runs...>', 'run directories or Hub results datasets')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'csv']).default('table'))
    .action(async (sql: string, runs: string[], flags: Record<string, unknown>) => {
      const [{ loadRuns }, { queryRuns }, { formatRows }] = await Promise.all([
        import('../report/run-sources.js'),
        import('../query/database.js'),
        import('../query/format.js'),
      ]);
      const loaded = await loadRuns(runs, { env: io.env ?? process.env });
      const result = await queryRuns(sql, loaded);
      for (const line of formatRows(result, flags.format as 'table' | 'json' | 'csv')) io.out(line);
    });
}
