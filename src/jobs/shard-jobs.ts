// A sharded run on Hugging Face Jobs: one job per shard, each `agent-eval run --shard i/N` with the same
// flags and run id, found again by their labels; each leaves its run files in the run's shard store
// (shard-store.ts), from which `jobs wait` merges and publishes one run.
import { randomUUID } from 'node:crypto';
import { InputError } from '../errors.js';
import { AGENT_EVAL_VERSION } from '../version.js';
import { FINAL_STAGES, type JobInfo, type JobSpec } from './jobs-api.js';
import { shardStoreRepo } from './shard-store.js';

/** The image a job runs when --image is not given (build it from the Dockerfile and push it there). */
export const DEFAULT_IMAGE = `ghcr.io/agent-eval/agent-eval:${AGENT_EVAL_VERSION}`;
export const RUN_ID_LABEL = 'agent-eval-run-id';
export const SHARD_LABEL = 'agent-eval-shard';

/** Flags the submission sets itself for every shard. */
const RESERVED_FLAGS = ['--shard', '--output-format', '--resume', '--output-dir'];

export interface ShardJobsInput {
  /** `agent-eval run` flags, as given after `--`. */
  runFlags: string[];
  shards: number;
  /** Resubmit only these shards (1-based). */
  onlyShards?: number[];
  flavor: string;
  image: string;
  /** Names of variables passed as job secrets, read from `env`. */
  secretNames: string[];
  timeoutSeconds?: number;
  /** The Hub token the jobs store their files with (a job secret, HF_TOKEN). */
  hubToken: string;
  /** Where the shard store lives (the jobs' namespace). */
  namespace: string;
  env: Record<string, string | undefined>;
}

/** `--run-id X` or `--run-id=X` among the run flags. */
function runIdIn(flags: readonly string[]): string | undefined {
  for (const [index, flag] of flags.entries()) {
    if (flag === '--run-id') return flags[index + 1];
    if (flag.startsWith('--run-id=')) return flag.slice('--run-id='.length);
  }
  return undefined;
}

/**
 * One job spec per shard. Secrets travel only in the spec's `secrets` (the Hub encrypts them and
 * gives them to the job as environment variables): never in the command, the labels or the
 * environment. A run flag holding a secret's value is refused.
 */
export function shardJobSpecs(input: ShardJobsInput): { runId: string; store: string; jobs: { shard: number; spec: JobSpec }[] } {
  for (const flag of input.runFlags) {
    const name = flag.split('=')[0]!;
    if (RESERVED_FLAGS.includes(name)) throw new InputError(`jobs run: ${name} is set for each shard by jobs run; leave it out of the run flags`);
  }
  if (!input.runFlags.some((flag) => flag === '--model' || flag.startsWith('--model='))) throw new InputError('jobs run: give the run flags after --, e.g. -- --model openai/gpt-4o-mini --agent-type both');
  const secrets: Record<string, string> = { HF_TOKEN: input.hubToken };
  for (const name of input.secretNames) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new InputError(`--secrets ${name}: not a variable name`);
    const value = input.env[name];
    if (!value) throw new InputError(`--secrets ${name}: ${name} is not set in this environment`);
    secrets[name] = value;
  }
  for (const [name, value] of Object.entries(secrets)) {
    if (input.runFlags.some((flag) => flag.includes(value))) throw new InputError(`jobs run: a run flag holds the value of ${name}; pass it with --secrets ${name} instead`);
  }
  const shards = input.onlyShards ?? Array.from({ length: input.shards }, (_, index) => index + 1);
  for (const shard of shards) if (shard < 1 || shard > input.shards) throw new InputError(`--only-shards ${shard}: not a shard of ${input.shards}`);
  const runId = runIdIn(input.runFlags) ?? randomUUID();
  const flags = runIdIn(input.runFlags) ? input.runFlags : [...input.runFlags, '--run-id', runId];
  const store = shardStoreRepo(input.namespace, runId);
  return {
    runId,
    store,
    jobs: shards.map((shard) => ({
      shard,
      spec: {
        dockerImage: input.image,
        // The run flags are the shell's "$@" (never parsed by a shell): the run, then its files to the store.
        command: ['sh', '-c', shardScript(shard, input.shards, store), 'agent-eval-shard', ...flags],
        arguments: [],
        environment: {},
        secrets,
        flavor: input.flavor,
        ...(input.timeoutSeconds && { timeoutSeconds: input.timeoutSeconds }),
        labels: { [RUN_ID_LABEL]: runId, [SHARD_LABEL]: `${shard}/${input.shards}` },
      },
    })),
  };
}

/** The shell line a shard's job runs: its run, then its run files to the store. */
export function shardScript(shard: number, count: number, store: string): string {
  // Relative: the job's working folder (/work in the image), fresh for each job.
  const output = 'agent-eval-shard';
  return `agent-eval run "$@" --shard ${shard}/${count} --output-dir ${output} && agent-eval jobs store-shard ${output} --repo ${store} --shard ${shard}`;
}

/** `--timeout 90m` (s, m, h, d, or seconds), as huggingface_hub reads it. */
export function parseDuration(text: string, flag = '--timeout'): number {
  const match = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(text.trim());
  if (!match) throw new InputError(`${flag} ${text}: give a duration such as 3600, 90m, 2h or 1d`);
  const factor = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Math.round(Number(match[1]) * factor);
}

export interface ShardState {
  shard: number;
  count: number;
  job: JobInfo;
}

/** The run's jobs by shard: the latest job of each shard (a resubmission supersedes a failed one). */
export function shardsOfRun(jobs: readonly JobInfo[], runId: string): ShardState[] {
  const latest = new Map<number, ShardState>();
  for (const job of jobs) {
    if (job.labels?.[RUN_ID_LABEL] !== runId) continue;
    const match = /^(\d+)\/(\d+)$/.exec(job.labels[SHARD_LABEL] ?? '');
    if (!match) continue;
    const shard = Number(match[1]);
    const current = latest.get(shard);
    if (!current || (job.createdAt ?? '') > (current.job.createdAt ?? '')) latest.set(shard, { shard, count: Number(match[2]), job });
  }
  return [...latest.values()].sort((left, right) => left.shard - right.shard);
}

/** "2/4 completed, 1 running, 1 error" over all shards (missing ones counted as not submitted). */
export function describeProgress(states: readonly ShardState[]): string {
  const count = states[0]?.count ?? 0;
  const stages = new Map<string, number>();
  for (const state of states) stages.set(state.job.status.stage, (stages.get(state.job.status.stage) ?? 0) + 1);
  const completed = stages.get('COMPLETED') ?? 0;
  stages.delete('COMPLETED');
  const missing = count - states.length;
  const rest = [...stages.entries()].map(([stage, number]) => `${number} ${stage.toLowerCase()}`);
  if (missing > 0) rest.push(`${missing} not submitted`);
  return `${completed}/${count} completed${rest.length ? `, ${rest.join(', ')}` : ''}`;
}

export const isFinal = (state: ShardState) => FINAL_STAGES.has(state.job.status.stage);

/** The run flags a shard's job was given (the arguments after its shell line). */
export function runFlagsOf(job: JobInfo): string[] {
  const command = job.command ?? [];
  return command[0] === 'sh' && command[1] === '-c' ? command.slice(4) : command;
}
