import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePattern, replaceLines, testLines } from '../../src/tools/regex-runner.js';
import { parseSedCommand, sedReplacement } from '../../src/tools/sed-command.js';
import { grepTool, headTailTool, sedTool, sortLines, sortTool } from '../../src/tools/text-tools.js';
import type { ToolContext } from '../../src/tools/types.js';

const OPS = fileURLToPath(new URL('../fixtures/ops/', import.meta.url));
let base: string;
let work: string;

const context = (workingDirectory = work): ToolContext => ({
  signal: new AbortController().signal,
  workingDirectory,
  now: () => new Date('2026-01-15T12:00:00Z'),
});

const LOG = ['alpha ok', 'beta ERROR one', 'gamma ok', 'delta ok', 'epsilon error two', 'zeta ok', 'eta ok', 'theta ok', 'iota ERROR three'].join('\n') + '\n';

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'agent-eval-text-'));
  work = join(base, 'work');
  await mkdir(work);
  await mkdir(join(base, 'outside'));
  await writeFile(join(base, 'outside', 'secret.txt'), 'password=hunter2\n');
  await symlink(join(base, 'outside', 'secret.txt'), join(work, 'link.txt'));
  await writeFile(join(work, 'log.txt'), LOG);
  await writeFile(join(work, 'numbers.txt'), '10 ten\n9 nine\n100 hundred\nx none\n9 nine\n-1 minus\n');
  await writeFile(join(work, 'words.txt'), 'banana\nApple\ncherry\napple\nBanana\n');
  await writeFile(join(work, 'aaa.txt'), `${'a'.repeat(28)}!\n`);
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

const denied = /Access denied: path '.*' is outside the working directory/;

describe('grep', () => {
  it('prefixes matches with line numbers', async () => {
    await expect(grepTool.execute({ file_path: 'log.txt', pattern: 'ERROR' }, context())).resolves.toBe('2:beta ERROR one\n9:iota ERROR three');
    await expect(grepTool.execute({ file_path: 'log.txt', pattern: 'error', case_insensitive: true, line_numbers: false }, context())).resolves.toBe(
      'beta ERROR one\nepsilon error two\niota ERROR three',
    );
  });

  it('shows context with N- prefixes and -- separators', async () => {
    const out = await grepTool.execute({ file_path: 'log.txt', pattern: 'ERROR', context_before: 1, context_after: 1 }, context());
    expect(out).toBe('1-alpha ok\n2:beta ERROR one\n3-gamma ok\n--\n8-theta ok\n9:iota ERROR three');
  });

  it('inverts and counts', async () => {
    await expect(grepTool.execute({ file_path: 'log.txt', pattern: 'ok$', invert_match: true }, context())).resolves.toBe(
      '2:beta ERROR one\n5:epsilon error two\n9:iota ERROR three',
    );
    await expect(grepTool.execute({ file_path: 'log.txt', pattern: 'ERROR|error', count_only: true }, context())).resolves.toBe('3');
    await expect(grepTool.execute({ file_path: 'log.txt', pattern: 'FATAL' }, context())).resolves.toBe("No lines matching 'FATAL' in log.txt");
  });

  it('accepts Python-style named groups and inline (?i)', async () => {
    await expect(grepTool.execute({ file_path: 'log.txt', pattern: '(?i)(?P<w>error) (?P=w)?t' }, context())).resolves.toBe('5:epsilon error two\n9:iota ERROR three');
  });

  it('rejects invalid regexes and paths outside', async () => {
    await expect(grepTool.execute({ file_path: 'log.txt', pattern: '(unclosed' }, context())).rejects.toThrow(/Invalid regular expression '\(unclosed'/);
    await expect(grepTool.execute({ file_path: '../outside/secret.txt', pattern: '.' }, context())).rejects.toThrow(denied);
    await expect(grepTool.execute({ file_path: 'link.txt', pattern: '.' }, context())).rejects.toThrow(denied);
  });

  it('counts the ERROR lines of the ops log', async () => {
    await expect(grepTool.execute({ file_path: 'logs/app.log', pattern: '\\bERROR\\b', count_only: true }, context(OPS))).resolves.toBe('5');
  });
});

describe('regex runner', () => {
  it('stops a catastrophically backtracking pattern at the time limit', async () => {
    const started = Date.now();
    await expect(testLines(compilePattern('^(a+)+$'), ['a'.repeat(40) + '!'], undefined, 300)).rejects.toThrow(/longer than 0.3 s/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('replaces per line, globally only with g', async () => {
    await expect(replaceLines(compilePattern('o'), ['foo', 'bob'], '0')).resolves.toEqual(['f0o', 'b0b']);
    await expect(replaceLines(compilePattern('o', { global: true }), ['foo'], '0')).resolves.toEqual(['f00']);
  });

  it('honours an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(testLines(compilePattern('a'), ['a'], controller.signal)).rejects.toThrow('stop');
  });
});

describe('sed', () => {
  it('parses the supported commands', () => {
    expect(parseSedCommand('s/a/b/')).toEqual({ kind: 'substitute', pattern: 'a', replacement: 'b', global: false, ignoreCase: false });
    expect(parseSedCommand('s|x/y|z|gi')).toMatchObject({ pattern: 'x/y', global: true, ignoreCase: true });
    expect(parseSedCommand('s/a\\/b/c/')).toMatchObject({ pattern: 'a\\/b' });
    expect(parseSedCommand('/DEBUG/d')).toEqual({ kind: 'delete', address: { kind: 'regex', pattern: 'DEBUG' } });
    expect(parseSedCommand('5p')).toEqual({ kind: 'print', address: { kind: 'range', from: 5, to: 5 } });
    expect(parseSedCommand('2,$d')).toEqual({ kind: 'delete', address: { kind: 'range', from: 2, to: '$' } });
    expect(() => parseSedCommand('y/abc/xyz/')).toThrow(/Unsupported sed command/);
    expect(() => parseSedCommand('s/a/b/x')).toThrow(/unsupported flag/);
    expect(() => parseSedCommand('s/a/b')).toThrow(/expected s\/pattern/);
    expect(() => parseSedCommand('0p')).toThrow(/Invalid line number/);
  });

  it('translates sed replacements', () => {
    expect(sedReplacement('[\\1] & \\& $5 a\\/b\\n')).toBe('[$1] $& & $$5 a/b\n');
  });

  it('substitutes with groups, globally and case-insensitively', async () => {
    await expect(sedTool.execute({ file_path: 'log.txt', command: 's/(\\w+) ERROR/\\1 WARN/' }, context())).resolves.toContain('beta WARN one');
    const out = await sedTool.execute({ file_path: 'log.txt', command: 's/o/0/', global_replace: true, case_insensitive: true }, context());
    expect(out.split('\n')[0]).toBe('alpha 0k');
    expect(out).toContain('epsil0n err0r tw0');
  });

  it('deletes and prints lines by pattern and number', async () => {
    await expect(sedTool.execute({ file_path: 'log.txt', command: '/ok/d' }, context())).resolves.toBe('beta ERROR one\nepsilon error two\niota ERROR three');
    await expect(sedTool.execute({ file_path: 'log.txt', command: '2p' }, context())).resolves.toBe('beta ERROR one');
    await expect(sedTool.execute({ file_path: 'log.txt', command: '8,$p' }, context())).resolves.toBe('theta ok\niota ERROR three');
    await expect(sedTool.execute({ file_path: 'log.txt', command: '/error/p', case_insensitive: true }, context())).resolves.toBe(
      'beta ERROR one\nepsilon error two\niota ERROR three',
    );
    await expect(sedTool.execute({ file_path: 'log.txt', command: '/nomatch/p' }, context())).resolves.toBe('0 of 9 lines printed; the result is empty');
  });

  it('writes to output_file inside the sandbox only, leaving the input alone', async () => {
    await expect(sedTool.execute({ file_path: 'log.txt', command: '/ok/d', output_file: 'out/errors.txt' }, context())).resolves.toBe(
      '6 of 9 lines deleted; wrote 3 lines to out/errors.txt',
    );
    expect(await readFile(join(work, 'out/errors.txt'), 'utf8')).toBe('beta ERROR one\nepsilon error two\niota ERROR three\n');
    expect(await readFile(join(work, 'log.txt'), 'utf8')).toBe(LOG);
    await expect(sedTool.execute({ file_path: 'log.txt', command: '/ok/d', output_file: '../outside/x.txt' }, context())).rejects.toThrow(denied);
    await expect(sedTool.execute({ file_path: 'log.txt', command: 's/(/x/' }, context())).rejects.toThrow(/Invalid regular expression/);
  });
});

describe('sort', () => {
  it('sorts lines in byte order, numerically, reversed, uniquely, ignoring case', () => {
    const words = ['banana', 'Apple', 'cherry', 'apple', 'Banana'];
    expect(sortLines(words, {})).toEqual(['Apple', 'Banana', 'apple', 'banana', 'cherry']);
    expect(sortLines(words, { caseInsensitive: true })).toEqual(['Apple', 'apple', 'Banana', 'banana', 'cherry']);
    expect(sortLines(words, { caseInsensitive: true, unique: true })).toEqual(['Apple', 'banana', 'cherry']);
    expect(sortLines(words, { reverse: true })).toEqual(['cherry', 'banana', 'apple', 'Banana', 'Apple']);
  });

  it('sorts the file numerically and writes output files', async () => {
    await expect(sortTool.execute({ file_path: 'numbers.txt', numeric: true }, context())).resolves.toBe(
      '-1 minus\nx none\n9 nine\n9 nine\n10 ten\n100 hundred',
    );
    await expect(sortTool.execute({ file_path: 'numbers.txt', numeric: true, reverse: true, unique: true }, context())).resolves.toBe(
      '100 hundred\n10 ten\n9 nine\nx none\n-1 minus',
    );
    await expect(sortTool.execute({ file_path: 'words.txt', output_file: 'sorted.txt' }, context())).resolves.toBe('sorted 5 lines; wrote 5 lines to sorted.txt');
    expect(await readFile(join(work, 'sorted.txt'), 'utf8')).toBe('Apple\nBanana\napple\nbanana\ncherry\n');
    await expect(sortTool.execute({ file_path: '/etc/hostname' }, context())).rejects.toThrow(denied);
  });
});

describe('head_tail', () => {
  it('returns the first or last lines', async () => {
    await expect(headTailTool.execute({ file_path: 'log.txt', lines: 2 }, context())).resolves.toBe('alpha ok\nbeta ERROR one');
    await expect(headTailTool.execute({ file_path: 'log.txt', mode: 'tail', lines: 2 }, context())).resolves.toBe('theta ok\niota ERROR three');
    const all = await headTailTool.execute({ file_path: 'log.txt' }, context());
    expect(all.split('\n')).toHaveLength(9);
    await expect(headTailTool.execute({ file_path: 'link.txt' }, context())).rejects.toThrow(denied);
  });
});
