import type { MultiBar, SingleBar } from 'cli-progress';
import type { RunEvent, TaskResult } from '../eval/types.js';

export interface Reporter {
  handle(event: RunEvent): void;
  stop(): void;
}

function describeResult(result: TaskResult): string {
  const verdict = result.success ? 'PASS' : 'FAIL';
  const seconds = (result.execution_time_ms / 1000).toFixed(1);
  const error = result.error ? `  ${result.error_kind}: ${result.error}` : '';
  return `${verdict}  ${result.test_case_uid} (${result.difficulty})  ${seconds}s${error}`;
}

/**
 * Console progress. On a terminal: a live bar on stderr (done/total, successes, elapsed, ETA). Off a
 * terminal (CI, pipes): one plain line per finished task. Quiet: nothing until the summary.
 */
export async function createReporter(settings: { quiet: boolean; debug: boolean; write: (line: string) => void }): Promise<Reporter> {
  const interactive = Boolean(process.stderr.isTTY) && !process.env.CI && !settings.quiet;
  let bars: MultiBar | undefined;
  let bar: SingleBar | undefined;
  let successes = 0;
  if (interactive) {
    const { default: progress } = await import('cli-progress');
    bars = new progress.MultiBar(
      {
        format: '{bar} {value}/{total} tasks | success {successes} | {duration_formatted} elapsed | ETA {eta_formatted}',
        hideCursor: true,
        stream: process.stderr,
        etaBuffer: 20,
      },
      progress.Presets.shades_classic,
    );
  }
  const log = (line: string) => (bars ? bars.log(`${line}\n`) : settings.write(line));
  return {
    handle(event) {
      switch (event.type) {
        case 'notice':
          if (!settings.quiet) log(`[NOTE] ${event.message}`);
          break;
        case 'run-start':
          if (!settings.quiet) {
            log(`[RUN ID] ${event.runId}`);
            if (event.alreadyDone) log(`[RESUME] ${event.alreadyDone} of ${event.total} task(s) already recorded`);
          }
          bar = bars?.create(event.total, event.alreadyDone, { successes: 0 });
          break;
        case 'tool-call':
          if (settings.debug) log(`[TOOL] ${event.taskId}: ${event.name}(${JSON.stringify(event.arguments)})${event.isError ? ' -> error' : ''}`);
          break;
        case 'task-end':
          if (event.result.success) successes++;
          if (bar) {
            bar.update(event.done, { successes });
            if (settings.debug) log(describeResult(event.result));
          } else if (!settings.quiet) {
            settings.write(`[${event.done}/${event.total}] ${describeResult(event.result)}`);
          }
          break;
        case 'task-start':
          break;
      }
    },
    stop() {
      bars?.stop();
    },
  };
}
