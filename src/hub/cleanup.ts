/**
 * `agent-eval cleanup`: SMOLTRACE's dataset cleanup (spec 1.2, 8) with its defects fixed (spec 11.12):
 * age comes from the repo's `createdAt` (UTC; the name's timestamp only as a fallback),
 * `--keep-recent 0` is allowed, a run made without telemetry is complete without a traces dataset
 * (its results card says `telemetry: off`), and deletions run in parallel with a bound, each
 * reported. Only `{user}/{prefix}-(results|traces|metrics)-YYYYMMDD_HHMMSS` repos are run candidates;
 * task datasets never are, and the leaderboard only when asked by name (`--delete-leaderboard`, which
 * SMOLTRACE accepted but ignored), found with `findLeaderboard`.
 */
import { InputError, errorMessage } from '../errors.js';
import { cardRunMetadata } from './cards.js';
import { HubError, type HubClient, type HubDatasetEntry } from './client.js';

export const RUN_PARTS = ['results', 'traces', 'metrics'] as const;
export type RunPart = (typeof RUN_PARTS)[number];

export interface DiscoveredRun {
  /** YYYYMMDD_HHMMSS from the names. */
  timestamp: string;
  repos: Partial<Record<RunPart, string>>;
  /** The earliest `createdAt` of the run's repos; null when the Hub gave none. */
  createdAt: Date | null;
  /** The time ages are measured from: createdAt, else the name's timestamp read as UTC. */
  time: Date | null;
  /** 'off' when the results card says the run had no telemetry (no traces expected). */
  telemetry: 'on' | 'off' | 'unknown';
  /** Parts that should exist but do not. */
  missing: RunPart[];
  complete: boolean;
}

export interface CleanupOptions {
  olderThanDays?: number;
  /** Keep the N newest runs (0 allowed: delete all). */
  keepRecent?: number;
  incompleteOnly?: boolean;
  all?: boolean;
  /** Delete only this part of each selected run. */
  only?: RunPart;
  /** Default now. */
  now?: Date;
}

export interface CleanupPlan {
  /** The selector used, e.g. "older than 7 days". */
  selector: string;
  /** Runs with at least one repo to delete, newest first. */
  runs: DiscoveredRun[];
  /** Runs left alone. */
  kept: DiscoveredRun[];
  /** Repos to delete, per run in the order results, traces, metrics. */
  repos: string[];
}

export interface CleanupResult {
  repo: string;
  ok: boolean;
  error?: string;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** "20260102_030405" as a UTC date; null when it is not a real date. */
export function timestampDate(timestamp: string): Date | null {
  const match = /^(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})(?:-shard-\d+-of-\d+)?$/.exec(timestamp);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day && date.getUTCHours() === hour && date.getUTCMinutes() === minute ? date : null;
}

/** `--older-than`: "7d" -> 7, "2w" -> 14, "1m" -> 30, "30" -> 30 (days). */
export function parseOlderThan(text: string): number {
  const match = /^(\d+)\s*([dwm]?)$/.exec(text.trim().toLowerCase());
  if (!match) throw new InputError(`--older-than '${text}': give days as N, Nd, Nw or Nm (e.g. 7d, 2w, 1m)`);
  const count = Number(match[1]);
  return match[2] === 'w' ? count * 7 : match[2] === 'm' ? count * 30 : count;
}

async function mapBounded<T, R>(items: readonly T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/**
 * Groups the user's per-run datasets by timestamp (a shard's datasets, `...-shard-I-of-N`, form a group of
 * their own), newest first, and checks which are complete.
 */
export async function discoverRuns(client: HubClient, user: string, prefix = 'smoltrace'): Promise<DiscoveredRun[]> {
  const pattern = new RegExp(`^${escapeRegExp(user)}/${escapeRegExp(prefix)}-(results|traces|metrics)-(\\d{8}_\\d{6}(?:-shard-\\d+-of-\\d+)?)$`);
  const entries = await client.listDatasets(user, { search: `${prefix}-` });
  const groups = new Map<string, { repos: Partial<Record<RunPart, string>>; entries: HubDatasetEntry[] }>();
  for (const entry of entries) {
    const match = pattern.exec(entry.id);
    if (!match) continue;
    const group = groups.get(match[2]!) ?? { repos: {}, entries: [] };
    group.repos[match[1] as RunPart] = entry.id;
    group.entries.push(entry);
    groups.set(match[2]!, group);
  }
  const runs = await mapBounded([...groups], 4, async ([timestamp, group]): Promise<DiscoveredRun> => {
    const created = group.entries.map((entry) => entry.createdAt?.getTime()).filter((time): time is number => time !== undefined);
    const createdAt = created.length ? new Date(Math.min(...created)) : null;
    let telemetry: DiscoveredRun['telemetry'] = 'unknown';
    if (group.repos.results && !group.repos.traces) {
      try {
        const card = cardRunMetadata((await client.datasetInfo(group.repos.results)).cardData);
        if (card?.telemetry === 'off' || card?.tracesDataset === null) telemetry = 'off';
        else if (card?.telemetry === 'on') telemetry = 'on';
      } catch {
        // unreadable card: the run counts as missing its traces
      }
    } else if (group.repos.traces) {
      telemetry = 'on';
    }
    const expected: RunPart[] = telemetry === 'off' ? ['results', 'metrics'] : ['results', 'traces', 'metrics'];
    const missing = expected.filter((part) => !group.repos[part]);
    return { timestamp, repos: group.repos, createdAt, time: createdAt ?? timestampDate(timestamp), telemetry, missing, complete: missing.length === 0 };
  });
  return runs.sort((left, right) => (right.time?.getTime() ?? 0) - (left.time?.getTime() ?? 0) || right.timestamp.localeCompare(left.timestamp));
}

/** `{user}/{prefix}-leaderboard` when it exists (null when the Hub says it does not). */
export async function findLeaderboard(client: HubClient, user: string, prefix = 'smoltrace'): Promise<string | null> {
  const repo = `${user}/${prefix}-leaderboard`;
  try {
    await client.datasetInfo(repo);
    return repo;
  } catch (error) {
    if (error instanceof HubError && error.kind === 'not-found') return null;
    throw error;
  }
}

/** Chooses what to delete. Exactly one of olderThanDays, keepRecent, incompleteOnly, all is required. */
export function planCleanup(runs: readonly DiscoveredRun[], options: CleanupOptions): CleanupPlan {
  const chosen = [options.olderThanDays !== undefined, options.keepRecent !== undefined, !!options.incompleteOnly, !!options.all].filter(Boolean).length;
  if (chosen !== 1) throw new InputError('cleanup: give exactly one of --older-than, --keep-recent, --incomplete-only or --all');
  const now = options.now ?? new Date();
  const sorted = [...runs].sort((left, right) => (right.time?.getTime() ?? 0) - (left.time?.getTime() ?? 0) || right.timestamp.localeCompare(left.timestamp));
  let selected: DiscoveredRun[];
  let selector: string;
  if (options.all) {
    selected = sorted;
    selector = 'all runs';
  } else if (options.incompleteOnly) {
    selected = sorted.filter((run) => !run.complete);
    selector = 'incomplete runs';
  } else if (options.olderThanDays !== undefined) {
    const days = options.olderThanDays;
    if (!Number.isFinite(days) || days < 0) throw new InputError(`--older-than: ${days} is not a number of days >= 0`);
    const cutoff = now.getTime() - days * 86_400_000;
    selected = sorted.filter((run) => run.time !== null && run.time.getTime() < cutoff);
    selector = `runs older than ${days} days`;
  } else {
    const keep = options.keepRecent!;
    if (!Number.isInteger(keep) || keep < 0) throw new InputError(`--keep-recent: ${keep} is not a whole number >= 0`);
    selected = sorted.slice(keep);
    selector = `all but the ${keep} most recent runs`;
  }
  const parts = options.only ? [options.only] : RUN_PARTS;
  const withRepos = selected.filter((run) => parts.some((part) => run.repos[part]));
  const chosenSet = new Set(withRepos);
  return {
    selector: options.only ? `${selector} (${options.only} only)` : selector,
    runs: withRepos,
    kept: sorted.filter((run) => !chosenSet.has(run)),
    repos: withRepos.flatMap((run) => parts.flatMap((part) => (run.repos[part] ? [run.repos[part]] : []))),
  };
}

/** Deletes the plan's repos, at most `concurrency` at a time; every repo gets a result, in plan order. */
export async function executeCleanup(
  plan: Pick<CleanupPlan, 'repos'>,
  client: HubClient,
  options: { concurrency?: number; onResult?: (result: CleanupResult) => void } = {},
): Promise<{ results: CleanupResult[]; deleted: string[]; failed: CleanupResult[] }> {
  const results = await mapBounded(plan.repos, options.concurrency ?? 4, async (repo): Promise<CleanupResult> => {
    let result: CleanupResult;
    try {
      await client.deleteRepo(repo);
      result = { repo, ok: true };
    } catch (error) {
      result = { repo, ok: false, error: errorMessage(error) };
    }
    options.onResult?.(result);
    return result;
  });
  return { results, deleted: results.filter((result) => result.ok).map((result) => result.repo), failed: results.filter((result) => !result.ok) };
}
