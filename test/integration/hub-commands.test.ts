// `agent-eval push` and `agent-eval cleanup` in process (registerHubCommands on a fresh program, with a
// fake terminal for the typed confirmations), and the run-flag checks, against the loopback Hub.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyHfTokenFlag, checkHubRunFlags, hubRunFlags } from '../../src/cli/hub-commands.js';
import { InputError } from '../../src/errors.js';
import { runHubCommand } from '../helpers/hub-cli.js';
import { startHubServer, type HubServer } from '../helpers/hub-server.js';

const TOKEN = 'hf_alice';
const OLD = ['20260101_000000', '20260102_000000'];
const NEW = '20990101_000000';

let server: HubServer;
let home: string;

beforeEach(async () => {
  server = await startHubServer({ users: { [TOKEN]: 'alice' } });
  home = await mkdtemp(join(tmpdir(), 'agent-eval-hub-cli-'));
  for (const timestamp of OLD) {
    for (const part of ['results', 'traces', 'metrics']) server.seedDataset(`alice/smoltrace-${part}-${timestamp}`, {}, { createdAt: `${timestamp.slice(0, 4)}-01-0${timestamp[7]}T00:00:00Z` });
  }
  server.seedDataset(`alice/smoltrace-results-${NEW}`, {}, {});
  server.seedDataset('alice/smoltrace-leaderboard', {}, { createdAt: '2025-01-01T00:00:00Z' });
  server.seedDataset('alice/smoltrace-tasks', {}, { createdAt: '2025-01-01T00:00:00Z' });
});
afterEach(async () => {
  await server.close();
  await rm(home, { recursive: true, force: true });
});

function cli(args: string[], options: { answers?: string[]; isTTY?: boolean; token?: string | null } = {}) {
  return runHubCommand(args, { ...options, env: { HF_ENDPOINT: server.url, HF_HOME: home, ...(options.token !== null && { HF_TOKEN: options.token ?? TOKEN }) } });
}

const remaining = () => [...server.repos.keys()].filter((id) => /-(results|traces|metrics)-/.test(id)).sort();

describe('agent-eval cleanup (in process)', () => {
  it('lists in a dry run and deletes nothing', async () => {
    const before = remaining();
    const result = await cli(['cleanup', '--older-than', '30d']);
    expect(result.error).toBeUndefined();
    expect(result.code).toBe(0);
    expect(result.out).toContain('agent-eval Hub dataset cleanup (DRY-RUN)');
    expect(result.out).toContain('[INFO] Discovered 3 results, 2 traces, 2 metrics datasets in 3 run(s), 1 incomplete');
    expect(result.out).toContain('Leaderboard: preserved');
    expect(result.out).toContain(`  1. alice/smoltrace-results-${OLD[1]}`);
    expect(result.out).toContain(`  6. alice/smoltrace-metrics-${OLD[0]}`);
    expect(result.out).toContain('This is a DRY-RUN: nothing was deleted');
    expect(remaining()).toEqual(before);
    expect(server.requests.some((request) => request.method === 'DELETE')).toBe(false);
  });

  it('deletes after DELETE is typed; anything else cancels; --all asks for YES DELETE ALL first', async () => {
    const cancelled = await cli(['cleanup', '--older-than', '30d', '--no-dry-run'], { isTTY: true, answers: ['delete'] });
    expect(cancelled.code).toBe(1);
    expect(cancelled.err).toContain('Cancelled: nothing was deleted.');
    expect(remaining()).toHaveLength(7);

    const deleted = await cli(['cleanup', '--older-than', '30d', '--no-dry-run'], { isTTY: true, answers: ['DELETE'] });
    expect(deleted.code).toBe(0);
    expect(deleted.out).toContain('Type DELETE to delete these 6 dataset(s)');
    expect(deleted.out).toContain(`✓ alice/smoltrace-traces-${OLD[0]}`);
    expect(remaining()).toEqual([`alice/smoltrace-results-${NEW}`]);

    const notAll = await cli(['cleanup', '--all', '--no-dry-run'], { isTTY: true, answers: ['DELETE', 'DELETE'] });
    expect(notAll.code).toBe(1);
    expect(remaining()).toHaveLength(1);
    const all = await cli(['cleanup', '--all', '--no-dry-run'], { isTTY: true, answers: ['YES DELETE ALL', 'DELETE'] });
    expect(all.code).toBe(0);
    expect(remaining()).toEqual([]);
    expect(server.repos.has('alice/smoltrace-leaderboard') && server.repos.has('alice/smoltrace-tasks')).toBe(true);
  });

  it('keep-recent 0, --only and a failed deletion', async () => {
    const traces = await cli(['cleanup', '--keep-recent', '0', '--only', 'traces', '--no-dry-run', '--yes']);
    expect(traces.code).toBe(0);
    expect(remaining().filter((id) => id.includes('-traces-'))).toEqual([]);
    expect(remaining()).toHaveLength(5);

    server.fail({ method: 'DELETE', path: '/api/repos/delete', status: 403 });
    const failed = await cli(['cleanup', '--keep-recent', '0', '--no-dry-run', '--yes']);
    expect(failed.code).toBe(1);
    expect(failed.out).toMatch(/✗ alice\/smoltrace-\w+-\d{8}_\d{6}: .*403/);
    expect(failed.out).toContain('Deleted 4 of 5 dataset(s)');
    expect(failed.err).toContain('1 deletion(s) failed');
    expect(remaining()).toHaveLength(1);
  });

  it('preserves the leaderboard unless --delete-leaderboard, which needs its own typed confirmation', async () => {
    const preserved = await cli(['cleanup', '--all', '--preserve-leaderboard', '--no-dry-run', '--yes']);
    expect(preserved.code).toBe(0);
    expect(preserved.out).toContain('Leaderboard: preserved');
    expect(preserved.out).toContain('Deleted 7 of 7 dataset(s); leaderboard preserved.');
    expect(server.repos.has('alice/smoltrace-leaderboard')).toBe(true);
    for (const part of ['results', 'traces', 'metrics']) server.seedDataset(`alice/smoltrace-${part}-${OLD[0]}`, {}, { createdAt: '2026-01-01T00:00:00Z' });

    const dry = await cli(['cleanup', '--older-than', '30d', '--delete-leaderboard']);
    expect(dry.code).toBe(0);
    expect(dry.out).toContain("Leaderboard: DELETE alice/smoltrace-leaderboard (every run's row in it)");
    expect(dry.out).toContain('To delete these 3 dataset(s) and the leaderboard, run again with --no-dry-run.');

    // DELETE typed for the runs but not DELETE LEADERBOARD: nothing at all is deleted
    const refused = await cli(['cleanup', '--older-than', '30d', '--delete-leaderboard', '--no-dry-run'], { isTTY: true, answers: ['DELETE', 'DELETE'] });
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('Type DELETE LEADERBOARD to delete alice/smoltrace-leaderboard');
    expect(refused.err).toContain('Cancelled: nothing was deleted.');
    expect(remaining()).toHaveLength(3);
    expect(server.repos.has('alice/smoltrace-leaderboard')).toBe(true);

    const both = await cli(['cleanup', '--older-than', '30d', '--delete-leaderboard', '--no-dry-run'], { isTTY: true, answers: ['DELETE', 'DELETE LEADERBOARD'] });
    expect(both.code).toBe(0);
    expect(both.out).toContain('✓ alice/smoltrace-leaderboard');
    expect(both.out).toContain('Deleted 3 of 3 dataset(s); leaderboard deleted.');
    expect(remaining()).toEqual([]);
    expect(server.repos.has('alice/smoltrace-leaderboard')).toBe(false);
    expect(server.repos.has('alice/smoltrace-tasks')).toBe(true);

    // --delete-leaderboard alone selects no run; with no leaderboard left there is nothing to do
    const gone = await cli(['cleanup', '--delete-leaderboard', '--no-dry-run', '--yes']);
    expect(gone.code).toBe(0);
    expect(gone.out).toContain('Leaderboard: alice/smoltrace-leaderboard does not exist; nothing to delete');
    expect(gone.out).toContain('Nothing to delete.');
  });

  it('--delete-leaderboard alone deletes only the leaderboard, with --yes', async () => {
    const result = await cli(['cleanup', '--delete-leaderboard', '--no-dry-run', '--yes']);
    expect(result.code).toBe(0);
    expect(result.out).toContain('Runs to delete: 0 (kept: 3)');
    expect(server.repos.has('alice/smoltrace-leaderboard')).toBe(false);
    expect(remaining()).toHaveLength(7);
  });

  it('refuses bad flag combinations, no terminal without --yes, and no token, before deleting', async () => {
    expect((await cli(['cleanup', '--all', '--preserve-leaderboard', '--delete-leaderboard'])).error).toEqual(new InputError('--preserve-leaderboard and --delete-leaderboard: choose one'));
    expect((await cli(['cleanup', '--delete-leaderboard', '--only', 'traces'])).error).toEqual(new InputError('cleanup: choose what to delete with one of --older-than 7d, --keep-recent N, --incomplete-only or --all'));
    expect((await cli(['cleanup'])).error).toEqual(new InputError('cleanup: choose what to delete with one of --older-than 7d, --keep-recent N, --incomplete-only or --all'));
    expect(String((await cli(['cleanup', '--all', '--keep-recent', '2'])).error)).toMatch(/--keep-recent and --all cannot be combined/);
    expect(String((await cli(['cleanup', '--older-than', 'soon'])).error)).toMatch(/--older-than 'soon'/);
    expect(String((await cli(['cleanup', '--keep-recent', '-1'])).error)).toMatch(/--keep-recent -1: give a whole number/);
    expect(String((await cli(['cleanup', '--all', '--no-dry-run'])).error)).toMatch(/^InputError: confirmation needed: pass --yes/);
    expect(String((await cli(['cleanup', '--all'], { token: null })).error)).toMatch(/cleanup needs a Hub token/);
    expect(remaining()).toHaveLength(7);
  });
});

describe('agent-eval push (in process) and the run flags', () => {
  it('push refuses a directory that is not a run', async () => {
    const result = await cli(['push', home]);
    expect(result.error).toBeInstanceOf(InputError);
    expect(String(result.error)).toContain('metadata.json: cannot read the file (ENOENT)');
    expect(String((await cli(['push', home, '--private', '--public'])).error)).toContain('--private and --public: choose one');
  });

  it('checks the Hub flags of run before it starts', async () => {
    const env = { HF_ENDPOINT: server.url, HF_HOME: home };
    await expect(checkHubRunFlags({ outputFormat: 'json' }, env)).resolves.toBeUndefined();
    await expect(checkHubRunFlags({ outputFormat: 'hub' }, env)).rejects.toThrow(/--output-format hub needs a Hub token/);
    await expect(checkHubRunFlags({ outputFormat: 'hub', securityProfile: 'bfsi-closed' }, { ...env, HF_TOKEN: TOKEN })).rejects.toThrow(/not allowed with --security-profile closed/);
    await expect(checkHubRunFlags({ outputFormat: 'hub', leaderboardRepo: 'nope' }, env)).rejects.toThrow(/--leaderboard-repo nope/);
    await expect(checkHubRunFlags({ outputFormat: 'hub' }, { ...env, HF_TOKEN: TOKEN })).resolves.toBeUndefined();
    await expect(checkHubRunFlags({ outputFormat: 'hub' }, { ...env, HF_TOKEN: 'hf_unknown' })).rejects.toThrow(/rejected the token/);

    const command = hubRunFlags(new Command('run').exitOverride()).action(() => undefined);
    await command.parseAsync(['--dataset-revision', 'v1', '--public'], { from: 'user' });
    expect(command.opts()).toMatchObject({ datasetRevision: 'v1', datasetPrefix: 'smoltrace', public: true });
  });

  it("accepts SMOLTRACE's --hf-token as HF_TOKEN, with a warning; --hf-token-file still wins", async () => {
    const warnings: string[] = [];
    const env: Record<string, string | undefined> = { HF_ENDPOINT: server.url, HF_HOME: home, HF_TOKEN: 'hf_from_environment' };
    applyHfTokenFlag({ hfToken: ` ${TOKEN} ` }, env, (line) => warnings.push(line));
    expect(env.HF_TOKEN).toBe(TOKEN);
    expect(warnings).toEqual(['[WARN] --hf-token shows the token in the process list and the shell history; prefer HF_TOKEN or --hf-token-file']);
    // the token now passes the run's Hub check
    await expect(checkHubRunFlags({ outputFormat: 'hub' }, env)).resolves.toBeUndefined();

    applyHfTokenFlag({ hfToken: TOKEN, hfTokenFile: '/some/file' }, {}, (line) => warnings.push(line));
    expect(warnings.at(-1)).toBe('[WARN] --hf-token-file wins over --hf-token');
    const untouched = { HF_TOKEN: 'hf_kept' };
    applyHfTokenFlag({}, untouched, (line) => warnings.push(line));
    expect(untouched.HF_TOKEN).toBe('hf_kept');
    expect(() => applyHfTokenFlag({ hfToken: 'secret' }, {}, () => undefined)).toThrow(new InputError('--hf-token: this is not a Hugging Face token (tokens start with "hf_")'));
    expect(() => applyHfTokenFlag({ hfToken: TOKEN, securityProfile: 'closed' }, {}, () => undefined)).toThrow(/--hf-token: not allowed with --security-profile closed/);

    // on the command: the hook applies it before the Hub check
    const hookEnv = process.env;
    const saved = { HF_TOKEN: hookEnv.HF_TOKEN, HF_ENDPOINT: hookEnv.HF_ENDPOINT, HF_HOME: hookEnv.HF_HOME };
    Object.assign(hookEnv, { HF_ENDPOINT: server.url, HF_HOME: home });
    delete hookEnv.HF_TOKEN;
    try {
      const command = hubRunFlags(new Command('run').exitOverride(), (line) => warnings.push(line))
        .option('--output-format <format>')
        .action(() => undefined);
      await command.parseAsync(['--output-format', 'hub', '--hf-token', TOKEN], { from: 'user' });
      expect(hookEnv.HF_TOKEN).toBe(TOKEN);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete hookEnv[name];
        else hookEnv[name] = value;
      }
    }
  });
});
