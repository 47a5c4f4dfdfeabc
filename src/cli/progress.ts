import type { MultiBar, SingleBar } from 'cli-progress';
import type { RunEvent, TaskResult } from '../eval/types.js';
import type { DownloadProgress } from '../hub/model-snapshot.js';
import type { TextRedactor } from '../secrets/redactor.js';

export interface Reporter {
  handle(event: RunEvent): void;
  stop(): void;
}

function describeResult(result: TaskResult): string {
  const verdict = result.success ? 'PASS' : 'FAIL';
  const seconds = (result.execution_time_ms / 1000).toFixed(1);
  const why = result.failure_reason ? `${result.failure_reason}: ${result.failure_detail ?? ''}` : result.error ? `${result.error_kind}: ${result.error}` : '';
  const error = why ? `  ${why}` : '';
  return `${verdict}  ${result.test_case_uid} (${result.difficulty})  ${seconds}s${error}`;
}

const megabytes = (bytes: number) => (bytes / 1e6).toFixed(1);

/**
 * A model download: on a terminal a byte bar, else a line at the start, at each quarter and at the end.
 */
function downloadReporter(log: (line: string) => void, bars: MultiBar | undefined): (progress: DownloadProgress) => void {
  let bar: SingleBar | undefined;
  let started = 0;
  let quarter = 0;
  return (progress) => {
    if (progress.phase === 'start') {
      started = performance.now();
      quarter = 0;
      log(`[DOWNLOAD] ${progress.repo}: ${progress.files.length} file(s), ${megabytes(progress.totalBytes)} MB into the Hugging Face cache`);
      bar = bars?.create(progress.totalBytes, 0, { megabytes: '0.0' }, { format: '{bar} {percentage}% | {megabytes}/{total_megabytes} MB | ETA {eta_formatted}' });
      bar?.update(0, { megabytes: '0.0', total_megabytes: megabytes(progress.totalBytes) });
    } else if (progress.phase === 'bytes') {
      if (bar) bar.update(progress.loadedBytes, { megabytes: megabytes(progress.loadedBytes) });
      else {
        const reached = progress.totalBytes ? Math.floor((progress.loadedBytes / progress.totalBytes) * 4) : 0;
        if (reached > quarter && reached < 4) log(`[DOWNLOAD] ${reached * 25}% (${megabytes(progress.loadedBytes)} MB)`);
        quarter = Math.max(quarter, reached);
      }
    } else {
      if (bar) bars?.remove(bar);
      bar = undefined;
      log(`[DOWNLOAD] done: ${megabytes(progress.downloadedBytes)} MB in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
  };
}

/**
 * Console progress. On a terminal: a live bar on stderr (done/total, successes, elapsed, ETA). Off a
 * terminal (CI, pipes): one plain line per finished task. Quiet: no progress, but every [NOTE] warning.
 */
export async function createReporter(settings: { quiet: boolean; debug: boolean; write: (line: string) => void; redactor?: TextRedactor }): Promise<Reporter> {
  const interactive = Boolean(process.stderr.isTTY) && !process.env.CI && !settings.quiet;
  let bars: MultiBar | undefined;
  let bar: SingleBar | undefined;
  let successes = 0;
  // Shown only while adaptive concurrency holds requests below --parallel-workers.
  let concurrency = '';
  if (interactive) {
    const { default: progress } = await import('cli-progress');
    bars = new progress.MultiBar(
      {
        format: '{bar} {value}/{total} tasks | success {successes}{concurrency} | {duration_formatted} elapsed | ETA {eta_formatted}',
        hideCursor: true,
        stream: process.stderr,
        etaBuffer: 20,
      },
      progress.Presets.shades_classic,
    );
  }
  // Through the bar while it is drawn (so lines do not tear it), straight to the stream otherwise.
  // The bar writes to the terminal itself, so its lines are scrubbed of secrets here.
  const log = (line: string) => (bars?.isActive ? bars.log(`${settings.redactor ? settings.redactor.text(line) : line}\n`) : settings.write(line));
  const download = downloadReporter(log, bars);
  return {
    handle(event) {
      switch (event.type) {
        case 'notice':
          // Warnings are never quiet: --quiet hides progress only.
          log(`[NOTE] ${event.message}`);
          break;
        case 'run-start':
          if (!settings.quiet) {
            log(`[RUN ID] ${event.runId}`);
            if (event.alreadyDone) log(`[RESUME] ${event.alreadyDone} of ${event.total} task(s) already recorded`);
          }
          bar = bars?.create(event.total, event.alreadyDone, { successes: 0, concurrency });
          break;
        case 'tool-call':
          if (settings.debug) log(`[TOOL] ${event.taskId}: ${event.name}(${JSON.stringify(event.arguments)})${event.isError ? ' -> error' : ''}`);
          break;
        case 'task-end':
          if (event.result.success) successes++;
          if (bar) {
            bar.update(event.done, { successes, concurrency });
            if (settings.debug) log(describeResult(event.result));
          } else if (!settings.quiet) {
            settings.write(`[${event.done}/${event.total}]${concurrency && ` [${concurrency.slice(3)}]`} ${describeResult(event.result)}`);
          }
          break;
        case 'concurrency':
          concurrency = event.limit < event.max ? ` | concurrency ${event.limit}/${event.max}` : '';
          bar?.update({ concurrency });
          break;
        case 'task-start':
          break;
        case 'model-download':
          if (!settings.quiet) download(event.progress);
          break;
      }
    },
    stop() {
      // The bar writes logged lines at its next redraw; draw once more so the last notes are not lost.
      if (bars?.isActive) bars.update();
      bars?.stop();
    },
  };
}
