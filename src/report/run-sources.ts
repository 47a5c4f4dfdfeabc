/** What `report`, `compare` and `query` accept as a run: a run directory, a Hub results dataset or a Hub leaderboard. */
import { stat } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { readRunDirectory, uniqueLabels, type LoadedRun } from './run-reader.js';

const HUB_ID = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

export interface LoadRunsOptions {
  env: Record<string, string | undefined>;
  /** Leaderboard datasets: only the N newest runs. */
  limit?: number;
}

/** Loads every source in order (a leaderboard expands to its runs); labels are made unique. */
export async function loadRuns(sources: readonly string[], options: LoadRunsOptions): Promise<LoadedRun[]> {
  const runs: LoadedRun[] = [];
  let client: import('../hub/client.js').HubClient | undefined;
  for (const source of sources) {
    const local = await stat(source).catch(() => null);
    if (local || !HUB_ID.test(source)) {
      runs.push(await readRunDirectory(source));
      continue;
    }
    if (!client) {
      const { HubClient } = await import('../hub/client.js');
      client = (await HubClient.fromEnvironment({ env: options.env })).client;
    }
    const hub = await import('./hub-runs.js');
    const read = { client, env: options.env, ...(options.limit !== undefined && { limit: options.limit }) };
    if (/leaderboard/i.test(source)) runs.push(...(await hub.readHubLeaderboard(source, read)));
    else runs.push(await hub.readHubRun(source, read));
  }
  if (!runs.length) throw new InputError('no run given');
  return uniqueLabels(runs);
}
