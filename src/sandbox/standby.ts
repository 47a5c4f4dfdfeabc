/**
 * How many stand-by sandbox processes the pool keeps warming or ready ahead of its sessions.
 *
 * A process start from the snapshot costs about half a CPU-second, so on a small machine the starts, not the model,
 * bound how many code tasks run per second. The policy therefore:
 * - keeps at most `standby` processes warming or ready (default: one per session slot but at least one per core, so
 *   that a single worker's next processes start on every core; at most two per core, since the cores cannot start
 *   them faster than that is used up), which also bounds their memory at `standby` times the per-process cap (each
 *   stand-by is watched like a task's process) and is about 200 MiB each in practice;
 * - never holds more than the sessions still expected (`sessions`, when the caller knows it: a run's code tasks),
 *   so no process is started only to be killed when the run ends;
 * - starts no more stand-bys at once than there are cores (`startsAtOnce`): more would only slow every start down
 *   and take the CPU from the tasks that are running. A task that finds no stand-by starts its own at once.
 */
import { availableParallelism } from 'node:os';

export interface StandbySettings {
  /** Session slots (tasks at once). */
  size: number;
  /** Stand-by processes held at most; default `size`, at least one and at most two per core. */
  standby?: number;
  /** Sessions the caller will open in all; default unknown (no bound). */
  sessions?: number;
  /** Stand-bys starting at the same time at most; default the number of cores. */
  startsAtOnce?: number;
}

export class StandbyPolicy {
  readonly limit: number;
  readonly startsAtOnce: number;
  private remaining: number;

  constructor(settings: StandbySettings, cores = availableParallelism()) {
    const cpus = Math.max(1, cores);
    this.limit = settings.standby ?? Math.min(Math.max(settings.size, cpus), 2 * cpus);
    this.startsAtOnce = settings.startsAtOnce ?? Math.max(1, cores);
    this.remaining = settings.sessions ?? Number.POSITIVE_INFINITY;
  }

  /** A session was opened: one fewer still to come. */
  sessionStarted(): void {
    this.remaining = Math.max(0, this.remaining - 1);
  }

  /** Whether to start one more stand-by, given those held (`standby`) and the processes now starting (`warming`). */
  wantsMore(standby: number, warming: number): boolean {
    return standby < Math.min(this.limit, this.remaining) && warming < this.startsAtOnce;
  }
}
