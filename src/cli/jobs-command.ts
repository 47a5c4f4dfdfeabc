/**
 * `agent-eval jobs run|status|logs|cancel|wait`: a sharded run on Hugging Face Jobs. Every request
 * goes through the Hub client (HF_ENDPOINT, the token, retries); secrets go to the jobs as job
 * secrets and only their names are printed. The work is imported when a command runs.
 */
import type { Command } from './commander.js';
import { InputError } from '../errors.js';

export interface JobsCommandIo {
  out(line: string): void;
  err(line: string): void;
  setExitCode(code: number): void;
  env?: Record<string, string | undefined>;
}

const JOB_ID = /^[0-9a-f]{16,}$/;

function positiveInteger(flag: string, value: unknown): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InputError(`${flag} ${String(value)}: must be a whole number of at least 1`);
  return number;
}

function seconds(flag: string, value: unknown): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InputError(`${flag} ${String(value)}: must be a number of seconds above 0`);
  return number;
}

async function connect(flags: Record<string, unknown>, io: JobsCommandIo) {
  const env = io.env ?? process.env;
  const { HubClient } = await import('../hub/client.js');
  const { JobsApi } = await import('../jobs/jobs-api.js');
  const { client, token } = await HubClient.fromEnvironment({ env, ...(typeof flags.hfTokenFile === 'string' && { tokenFile: flags.hfTokenFile }) });
  if (!token) throw new InputError('jobs: no Hub token; set HF_TOKEN, pass --hf-token-file, or run `hf auth login`');
  const namespace = typeof flags.namespace === 'string' ? flags.namespace : (await client.whoami()).name;
  return { api: new JobsApi(client, namespace), client, namespace, token: token.token, env };
}

const common = (command: Command) =>
  command
    .option('--namespace <name>', 'the user or organisation the jobs run under (default: the token\'s user)')
    .option('--hf-token-file <file>', 'file holding the Hugging Face token (default: HF_TOKEN, then the cached login)');

/** Downloads the shards from the run's store, merges them into `output`, and publishes the merged run once. */
async function mergeFromStore(
  settings: { client: import('../hub/client.js').HubClient; namespace: string; runId: string; output: string; publish: import('../sinks/hub.js').HubPublishOptions | undefined },
  io: JobsCommandIo,
): Promise<void> {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { fetchShards, shardStoreRepo } = await import('../jobs/shard-store.js');
  const { mergeShards } = await import('../scale/merge.js');
  const folder = await mkdtemp(join(tmpdir(), 'agent-eval-shards-'));
  try {
    const shards = await fetchShards(settings.client, shardStoreRepo(settings.namespace, settings.runId), folder);
    const merged = await mergeShards(shards, settings.output, { env: io.env ?? process.env });
    io.out(`[MERGED] ${merged.shards} shard(s), ${merged.tasks} task(s), run ${merged.runId} -> ${merged.directory}`);
    if (!settings.publish) return;
    const { publishRunDirectory } = await import('../sinks/hub.js');
    const published = await publishRunDirectory(merged.directory, settings.publish);
    for (const notice of published.notices) io.err(`[NOTE] ${notice}`);
    io.out(`[SUCCESS] merged run pushed to the Hugging Face Hub as ${published.user}:`);
    for (const url of published.urls) io.out(`  ${url}`);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

export function registerJobsCommand(program: Command, io: JobsCommandIo): void {
  const jobs = program.command('jobs').description('run a sharded evaluation on Hugging Face Jobs, and follow it');

  common(
    jobs
      .command('run')
      .description('submit one job per shard, each running agent-eval run --shard i/N with the run flags given after --, its files left in a private shard store for jobs wait')
      .argument('<run-flags...>', 'agent-eval run flags, after -- (e.g. -- --model openai/gpt-4o-mini --agent-type both)')
      .requiredOption('--shards <n>', 'how many shards (jobs)')
      .option('--flavor <flavor>', 'hardware flavor (cpu-basic, cpu-upgrade, t4-small, a10g-small, ...)', 'cpu-basic')
      .option('--image <image>', 'container image with agent-eval (see the Dockerfile)')
      .option('--secrets <names...>', 'environment variables passed to the jobs as secrets (values from this environment); HF_TOKEN always is')
      .option('--timeout <duration>', 'limit per job: seconds, or 90m, 2h, 1d')
      .option('--only-shards <list>', 'submit only these shards (e.g. 2,4): to resubmit failed ones'),
  ).action(async (runFlags: string[], flags: Record<string, unknown>) => {
    const { shardJobSpecs, parseDuration, DEFAULT_IMAGE } = await import('../jobs/shard-jobs.js');
    const shards = positiveInteger('--shards', flags.shards);
    const onlyShards = typeof flags.onlyShards === 'string' ? flags.onlyShards.split(',').map((part) => positiveInteger('--only-shards', part.trim())) : undefined;
    const timeoutSeconds = typeof flags.timeout === 'string' ? parseDuration(flags.timeout) : undefined;
    const { api, client, namespace, token, env } = await connect(flags, io);
    const { runId, store, jobs: specs } = shardJobSpecs({
      runFlags,
      shards,
      ...(onlyShards && { onlyShards }),
      flavor: String(flags.flavor),
      image: typeof flags.image === 'string' ? flags.image : DEFAULT_IMAGE,
      secretNames: Array.isArray(flags.secrets) ? (flags.secrets as string[]) : [],
      ...(timeoutSeconds && { timeoutSeconds }),
      hubToken: token,
      namespace,
      env,
    });
    await client.createDatasetRepo(store, { private: true });
    io.out(`[RUN ID] ${runId}`);
    io.out(`[STORE] ${client.datasetUrl(store)} (private; each shard leaves its run files there)`);
    io.out(`[SECRETS] ${Object.keys(specs[0]!.spec.secrets ?? {}).join(', ')} (passed as job secrets)`);
    for (const { shard, spec } of specs) {
      const job = await api.run(spec);
      io.out(`[JOB] shard ${shard}/${shards}: ${job.id} ${api.jobUrl(job.id)}`);
    }
    io.out(`Follow it with: agent-eval jobs wait ${runId}`);
    io.setExitCode(0);
  });

  common(
    jobs
      .command('store-shard')
      .description("inside a shard's job: upload its run files to the run's shard store")
      .argument('<folder>', 'the run directory, or the --output-dir holding it')
      .requiredOption('--repo <repo>', 'the shard store (owner/agent-eval-shards-<run id>)')
      .requiredOption('--shard <i>', 'the shard number'),
  ).action(async (folder: string, flags: Record<string, unknown>) => {
    const { client } = await connect(flags, io);
    const { storeShard } = await import('../jobs/shard-store.js');
    await storeShard(client, String(flags.repo), folder, positiveInteger('--shard', flags.shard));
    io.out(`[STORED] shard ${String(flags.shard)} in ${String(flags.repo)}`);
    io.setExitCode(0);
  });

  common(jobs.command('status').description('the state of a job, or of every shard of a run').argument('<id>', 'a job id or a run id')).action(async (id: string, flags: Record<string, unknown>) => {
    const { api } = await connect(flags, io);
    const { shardsOfRun, describeProgress } = await import('../jobs/shard-jobs.js');
    if (JOB_ID.test(id)) {
      const job = await api.inspect(id).catch(() => undefined);
      if (job) {
        io.out(`${job.id}  ${job.status.stage}${job.status.message ? `  ${job.status.message}` : ''}  ${api.jobUrl(job.id)}`);
        return io.setExitCode(0);
      }
    }
    const states = shardsOfRun(await api.list(), id);
    if (!states.length) throw new InputError(`jobs status ${id}: no job and no run with this id in ${api.namespace}`);
    io.out(`[RUN ${id}] ${describeProgress(states)}`);
    for (const state of states) io.out(`  shard ${state.shard}/${state.count}  ${state.job.id}  ${state.job.status.stage}${state.job.status.message ? `  ${state.job.status.message}` : ''}`);
    io.setExitCode(0);
  });

  common(jobs.command('logs').description('the log lines of a job, or of every shard of a run').argument('<id>', 'a job id or a run id')).action(async (id: string, flags: Record<string, unknown>) => {
    const { api } = await connect(flags, io);
    const { shardsOfRun } = await import('../jobs/shard-jobs.js');
    const states = JOB_ID.test(id) ? [] : shardsOfRun(await api.list(), id);
    const targets = states.length ? states.map((state) => ({ prefix: `[shard ${state.shard}] `, id: state.job.id })) : [{ prefix: '', id }];
    for (const target of targets) for (const line of await api.logs(target.id)) io.out(`${target.prefix}${line}`);
    io.setExitCode(0);
  });

  common(jobs.command('cancel').description('cancel a job, or every unfinished shard of a run').argument('<id>', 'a job id or a run id')).action(async (id: string, flags: Record<string, unknown>) => {
    const { api } = await connect(flags, io);
    const { shardsOfRun, isFinal } = await import('../jobs/shard-jobs.js');
    const states = JOB_ID.test(id) ? [] : shardsOfRun(await api.list(), id);
    const ids = states.length ? states.filter((state) => !isFinal(state)).map((state) => state.job.id) : [id];
    for (const jobId of ids) {
      await api.cancel(jobId);
      io.out(`[CANCELED] ${jobId}`);
    }
    io.setExitCode(0);
  });

  common(
    jobs
      .command('wait')
      .description('follow every shard of a run until all have ended; exit 1 if one failed (with the command that resubmits it)')
      .argument('<run-id>', 'the run id jobs run printed')
      .option('--interval <seconds>', 'seconds between polls', '30')
      .option('-o, --output <run-dir>', 'where the merged run is written (default: agent-eval-<run id> here)')
      .option('--no-push', 'merge into --output only; do not publish the merged run')
      .option('--dataset-prefix <prefix>', 'name prefix of the Hub datasets', 'smoltrace')
      .option('--private', 'create the datasets private (the default)')
      .option('--public', 'create the datasets public')
      .option('--leaderboard-repo <repo>', 'leaderboard dataset "owner/name"'),
  ).action(async (runId: string, flags: Record<string, unknown>) => {
    const interval = seconds('--interval', flags.interval);
    const { hubPublishOptions } = await import('./hub-commands.js');
    const publish = flags.push === false ? undefined : hubPublishOptions(flags, io.env ?? process.env);
    const { api, client, namespace } = await connect(flags, io);
    const { shardsOfRun, describeProgress, isFinal, runFlagsOf } = await import('../jobs/shard-jobs.js');
    let last = '';
    for (;;) {
      const states = shardsOfRun(await api.list(), runId);
      if (!states.length) throw new InputError(`jobs wait ${runId}: no job of this run in ${api.namespace}`);
      const progress = describeProgress(states);
      if (progress !== last) io.out(`[WAIT] run ${runId}: ${progress}`);
      last = progress;
      const count = states[0]!.count;
      if (states.every(isFinal)) {
        const failed = states.filter((state) => state.job.status.stage !== 'COMPLETED');
        const missing = Array.from({ length: count }, (_, index) => index + 1).filter((shard) => !states.some((state) => state.shard === shard));
        for (const shard of missing) io.err(`[FAILED] shard ${shard}/${count}: never submitted`);
        if (!failed.length && !missing.length) {
          io.out(`[DONE] all ${count} shard(s) completed`);
          await mergeFromStore({ client, namespace, runId, output: typeof flags.output === 'string' ? flags.output : `agent-eval-${runId}`, publish }, io);
          return io.setExitCode(0);
        }
        for (const state of failed) io.err(`[FAILED] shard ${state.shard}/${count} (${state.job.id}): ${state.job.status.stage}${state.job.status.message ? `: ${state.job.status.message}` : ''}`);
        const job = states[0]!.job;
        const image = job.dockerImage ? ` --image ${job.dockerImage}` : '';
        const again = [...failed.map((state) => state.shard), ...missing].sort((left, right) => left - right);
        const secretNames = Object.keys((job as { secrets?: Record<string, unknown> }).secrets ?? {}).filter((name) => name !== 'HF_TOKEN');
        const secrets = secretNames.length ? ` --secrets ${secretNames.join(' ')}` : '';
        io.err(`Resubmit with: agent-eval jobs run --shards ${count} --only-shards ${again.join(',')} --flavor ${job.flavor ?? 'cpu-basic'}${image}${secrets} -- ${runFlagsOf(job).join(' ')}`);
        return io.setExitCode(1);
      }
      await new Promise((resolve) => setTimeout(resolve, interval * 1000));
    }
  });
}
