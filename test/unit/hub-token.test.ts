import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { HubClient } from '../../src/hub/client.js';
import { cachedTokenPath, resolveHubToken } from '../../src/hub/token.js';

describe('resolveHubToken', () => {
  let dir: string;
  let home: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hub-token-'));
    home = join(dir, 'home');
    await mkdir(join(home, '.cache', 'huggingface'), { recursive: true });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prefers the explicit token, then the token file, then HF_TOKEN, then the cached login', async () => {
    const file = join(dir, 'token.txt');
    await writeFile(file, '  hf_from_file\n');
    await writeFile(join(home, '.cache', 'huggingface', 'token'), 'hf_cached\n');
    const env = { HF_TOKEN: 'hf_from_env' };
    expect(await resolveHubToken({ token: 'hf_explicit', tokenFile: file, env, homeDir: home })).toEqual({ token: 'hf_explicit', source: 'explicit' });
    expect(await resolveHubToken({ tokenFile: file, env, homeDir: home })).toEqual({ token: 'hf_from_file', source: 'file', path: file });
    expect(await resolveHubToken({ env, homeDir: home })).toEqual({ token: 'hf_from_env', source: 'env' });
    expect(await resolveHubToken({ env: { HUGGING_FACE_HUB_TOKEN: 'hf_legacy' }, homeDir: home })).toEqual({ token: 'hf_legacy', source: 'env' });
    expect(await resolveHubToken({ env: {}, homeDir: home })).toEqual({ token: 'hf_cached', source: 'cache', path: join(home, '.cache', 'huggingface', 'token') });
  });

  it('finds the cached login under HF_HOME, HF_TOKEN_PATH or XDG_CACHE_HOME', async () => {
    const hfHome = join(dir, 'hf-home');
    await mkdir(hfHome);
    await writeFile(join(hfHome, 'token'), 'hf_hf_home');
    expect(await resolveHubToken({ env: { HF_HOME: hfHome }, homeDir: home })).toMatchObject({ token: 'hf_hf_home', source: 'cache' });
    expect(cachedTokenPath({ HF_TOKEN_PATH: '/x/token' }, home)).toBe('/x/token');
    expect(cachedTokenPath({ XDG_CACHE_HOME: '/xdg' }, home)).toBe(join('/xdg', 'huggingface', 'token'));
    expect(cachedTokenPath({}, home)).toBe(join(home, '.cache', 'huggingface', 'token'));
  });

  it('returns null without any token; an empty cached login counts as none', async () => {
    expect(await resolveHubToken({ env: {}, homeDir: home })).toBeNull();
    await writeFile(join(home, '.cache', 'huggingface', 'token'), '\n');
    expect(await resolveHubToken({ env: { HF_TOKEN: '  ' }, homeDir: home })).toBeNull();
  });

  it('an empty or unreadable token file, or a token without hf_, is an InputError', async () => {
    const empty = join(dir, 'empty.txt');
    await writeFile(empty, ' \n');
    await expect(resolveHubToken({ tokenFile: empty, env: { HF_TOKEN: 'hf_env' }, homeDir: home })).rejects.toThrow(/the file is empty/);
    await expect(resolveHubToken({ tokenFile: join(dir, 'missing.txt'), env: {}, homeDir: home })).rejects.toThrow(/ENOENT/);
    await expect(resolveHubToken({ env: { HF_TOKEN: 'not-a-token' }, homeDir: home })).rejects.toThrow(InputError);
    await expect(resolveHubToken({ env: { HF_TOKEN: 'not-a-token' }, homeDir: home })).rejects.toThrow(/HF_TOKEN: this is not a Hugging Face token/);
  });

  it('HubClient.fromEnvironment combines the token with HF_ENDPOINT', async () => {
    const { client, token } = await HubClient.fromEnvironment({ env: { HF_TOKEN: 'hf_env', HF_ENDPOINT: 'http://127.0.0.1:1/' }, homeDir: home });
    expect(token).toEqual({ token: 'hf_env', source: 'env' });
    expect(client.hubUrl).toBe('http://127.0.0.1:1');
    expect(client.token).toBe('hf_env');
    const none = await HubClient.fromEnvironment({ env: {}, homeDir: home });
    expect(none.token).toBeNull();
    expect(none.client.token).toBeUndefined();
    expect(none.client.hubUrl).toBe('https://huggingface.co');
  });
});
