// The file and text tools never touch configuration and credential files, whatever the path trick.
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { executeToolCall } from '../../src/agents/tool-executor.js';
import { listDirectoryTool, readFileTool, searchFilesTool, writeFileTool } from '../../src/tools/file-tools.js';
import { isProtectedPath } from '../../src/tools/protected-files.js';
import { grepTool, headTailTool, sedTool, sortTool } from '../../src/tools/text-tools.js';
import { ToolError, type AnyTool, type ToolContext } from '../../src/tools/types.js';

const CANARY = 'canary-env-secret-4d1c9a';
let work: string;
const context = (workingDirectory = work): ToolContext => ({ signal: new AbortController().signal, workingDirectory, now: () => new Date() });
const refusal = (shown: string) => new ToolError(`refused: ${shown} is a protected configuration file`);

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'agent-eval-protected-'));
  await mkdir(join(work, 'sub'), { recursive: true });
  await mkdir(join(work, '.ssh'));
  await mkdir(join(work, '.git'));
  await mkdir(join(work, '.huggingface'));
  const files: Record<string, string> = {
    '.env': `OPENAI_API_KEY=${CANARY}\n`,
    '.env.local': `X=${CANARY}\n`,
    '.npmrc': `//registry/:_authToken=${CANARY}\n`,
    '.netrc': `machine h password ${CANARY}\n`,
    '.git-credentials': `https://u:${CANARY}@h\n`,
    '.git/config': `[remote] url = https://u:${CANARY}@h\n`,
    '.huggingface/token': `${CANARY}\n`,
    '.ssh/config': `Host x ${CANARY}\n`,
    'sub/id_ed25519': `${CANARY}\n`,
    'sub/server.pem': `${CANARY}\n`,
    'sub/tls.key': `${CANARY}\n`,
    'notes.txt': 'plain notes\n',
  };
  for (const [name, text] of Object.entries(files)) await writeFile(join(work, name), text);
  await symlink(join(work, '.env'), join(work, 'innocent.txt'));
  await symlink(join(work, '.ssh'), join(work, 'keys'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('path guard', () => {
  it.each([
    ['.env', '.env'],
    ['./.env', '.env'],
    ['sub/../.env', '.env'],
    ['.ENV', '.ENV'],
    ['.Env.Local', '.Env.Local'],
    ['.env.', '.env.'],
    ['.npmrc', '.npmrc'],
    ['.netrc', '.netrc'],
    ['.git-credentials', '.git-credentials'],
    ['.git/config', '.git/config'],
    ['.huggingface/token', '.huggingface/token'],
    ['.ssh/config', '.ssh/config'],
    ['sub/id_ed25519', 'sub/id_ed25519'],
    ['sub/server.pem', 'sub/server.pem'],
    ['sub/TLS.KEY', 'sub/TLS.KEY'],
    ['innocent.txt', 'innocent.txt'],
    ['keys/config', 'keys/config'],
  ])('read_file refuses %s', async (path, shown) => {
    await expect(readFileTool.execute({ file_path: path }, context())).rejects.toThrow(refusal(shown));
  });

  it('refuses every file and text tool, reading or writing, and writes nothing', async () => {
    const calls: Array<[AnyTool, Record<string, unknown>]> = [
      [writeFileTool, { file_path: '.env', content: 'OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:9/' }],
      [writeFileTool, { file_path: 'sub/../.env.production', content: 'x' }],
      [writeFileTool, { file_path: '.ssh/authorized_keys', content: 'x' }],
      [grepTool, { file_path: '.env', pattern: '.' }],
      [sedTool, { file_path: '.env', command: 's/a/b/' }],
      [sedTool, { file_path: 'notes.txt', command: 's/a/b/', output_file: '.env' }],
      [sortTool, { file_path: '.npmrc' }],
      [headTailTool, { file_path: 'innocent.txt' }],
      [listDirectoryTool, { directory_path: '.ssh' }],
      [searchFilesTool, { directory: 'keys', pattern: '*' }],
    ];
    for (const [tool, input] of calls) await expect(tool.execute(input, context())).rejects.toThrow(/^refused: .* is a protected configuration file$/);
    await expect(stat(join(work, '.env.production'))).rejects.toThrow();
    expect(await readFile(join(work, '.env'), 'utf8')).toBe(`OPENAI_API_KEY=${CANARY}\n`);
  });

  it('is one error observation for the model', async () => {
    const outcome = await executeToolCall({ id: '1', name: 'read_file', arguments: { file_path: './.env' } }, new Map([['read_file', readFileTool]]), context());
    expect(outcome).toMatchObject({ isError: true, output: 'Error: refused: .env is a protected configuration file' });
  });

  it('keeps protected files out of searches, by name and by content', async () => {
    const names = await searchFilesTool.execute({ directory: '.', pattern: '*' }, context());
    expect(names).toContain('notes.txt');
    for (const hidden of ['.env', '.npmrc', '.ssh', 'id_ed25519', 'server.pem', 'token']) expect(names).not.toMatch(new RegExp(`(^|/|\\n)${hidden.replace('.', '\\.')}(\\n|$|/)`));
    await writeFile(join(work, '.env.json'), `{"key": "${CANARY}"}\n`);
    const content = await searchFilesTool.execute({ directory: '.', pattern: CANARY, search_type: 'content' }, context());
    expect(content).not.toContain(CANARY.slice(0, 12) + '"');
    expect(content).toMatch(/^No text files containing/);
  });

  it('refuses agent-eval\'s cache and the Hugging Face token files wherever they are', async () => {
    const saved = { ...process.env };
    const cache = join(work, 'cache');
    const hfHome = join(work, 'hf');
    await mkdir(join(cache, 'sandbox'), { recursive: true });
    await mkdir(hfHome);
    await writeFile(join(cache, 'sandbox', 'snapshot.bin'), 'x');
    await writeFile(join(hfHome, 'stored_tokens'), CANARY);
    try {
      process.env.AGENT_EVAL_CACHE_DIR = cache;
      process.env.HF_HOME = hfHome;
      await expect(readFileTool.execute({ file_path: 'cache/sandbox/snapshot.bin' }, context())).rejects.toThrow(refusal('cache/sandbox/snapshot.bin'));
      await expect(writeFileTool.execute({ file_path: 'cache/new.txt', content: 'x' }, context())).rejects.toThrow(refusal('cache/new.txt'));
      await expect(readFileTool.execute({ file_path: 'hf/stored_tokens' }, context())).rejects.toThrow(refusal('hf/stored_tokens'));
      await expect(listDirectoryTool.execute({ directory_path: 'cache' }, context())).rejects.toThrow(refusal('cache'));
      expect(isProtectedPath(join(cache.toUpperCase(), 'x'))).toBe(true);
    } finally {
      process.env = saved;
    }
  });

  it('leaves ordinary files alone', async () => {
    await expect(readFileTool.execute({ file_path: 'notes.txt' }, context())).resolves.toContain('plain notes');
    for (const path of ['environment.md', 'env/config.yaml', 'sub/keys.txt', 'token.txt', 'docs/.envelope', 'src/key.ts']) expect(isProtectedPath(join(work, path))).toBe(false);
  });
});

describe('observations are scrubbed before the model sees them', () => {
  afterEach(() => {
    delete process.env.AGENT_EVAL_TEST_CANARY_TOKEN;
  });

  it('redacts a secret value read from an ordinary file', async () => {
    await writeFile(join(work, 'leak.txt'), `token is ${CANARY}-longer and sk-proj-abcdefghijklmnop123456\n`);
    const { SecretRedactor } = await import('../../src/secrets/redactor.js');
    const redactor = SecretRedactor.from({ secrets: [`${CANARY}-longer`] });
    const outcome = await executeToolCall({ id: '1', name: 'read_file', arguments: { file_path: 'leak.txt' } }, new Map([['read_file', readFileTool]]), { ...context(), redactor });
    expect(outcome.output).not.toContain(CANARY);
    expect(outcome.output).not.toContain('sk-proj-');
    expect(outcome.output).toContain('token is [REDACTED] and [REDACTED]');
  });
});
