import { mkdir, mkdtemp, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDirectoryTool, readFileTool, searchFilesTool, writeFileTool } from '../../src/tools/file-tools.js';
import { compileGlob } from '../../src/tools/glob.js';
import { resolveSandboxPath } from '../../src/tools/sandbox-path.js';
import { ToolError, type ToolContext } from '../../src/tools/types.js';

const OPS = fileURLToPath(new URL('../fixtures/ops/', import.meta.url));
let base: string; // holds `work` (the sandbox) and `outside`
let work: string;
let outside: string;

const context = (workingDirectory = work): ToolContext => ({
  signal: new AbortController().signal,
  workingDirectory,
  now: () => new Date('2026-01-15T12:00:00Z'),
});

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'agent-eval-files-'));
  work = join(base, 'work');
  outside = join(base, 'outside');
  await mkdir(join(work, 'docs', 'nested'), { recursive: true });
  await mkdir(outside);
  await writeFile(join(work, 'hello.txt'), 'Hello, world!\nsecond line\n');
  await writeFile(join(work, 'docs', 'readme.md'), '# Title\nThe needle is here.\n');
  await writeFile(join(work, 'docs', 'nested', 'deep.log'), 'nothing\nNEEDLE in caps\n');
  await writeFile(join(work, 'docs', 'image.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]));
  await writeFile(join(outside, 'secret.txt'), 'the needle outside\n');
  await symlink(join(outside, 'secret.txt'), join(work, 'escape.txt'));
  await symlink(outside, join(work, 'escape-dir'));
  await symlink(join(work, 'hello.txt'), join(work, 'alias.txt'));
  await symlink(join(outside, 'missing.txt'), join(work, 'dangling.txt'));
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

const denied = /Access denied: path '.*' is outside the working directory/;

describe('sandbox paths', () => {
  it.each([['../outside/secret.txt'], ['docs/../../outside/secret.txt'], ['/etc/passwd'], ['escape.txt'], ['escape-dir/secret.txt'], ['escape-dir/new.txt']])(
    'refuses %s',
    async (path) => {
      await expect(resolveSandboxPath(context(), path)).rejects.toThrow(denied);
    },
  );

  it('resolves relative, absolute-inside and symlink-inside paths', async () => {
    await expect(resolveSandboxPath(context(), 'docs/../hello.txt')).resolves.toMatchObject({ display: 'hello.txt', exists: true });
    await expect(resolveSandboxPath(context(), join(work, 'docs'))).resolves.toMatchObject({ display: 'docs' });
    await expect(resolveSandboxPath(context(), 'alias.txt')).resolves.toMatchObject({ display: 'hello.txt' });
    await expect(resolveSandboxPath(context(), 'new/dir/file.txt')).resolves.toMatchObject({ display: 'new/dir/file.txt', exists: false });
    await expect(resolveSandboxPath(context(), '.')).resolves.toMatchObject({ display: '.' });
  });

  it('refuses dangling links and empty paths', async () => {
    await expect(resolveSandboxPath(context(), 'dangling.txt')).rejects.toThrow(/broken symbolic link/);
    await expect(resolveSandboxPath(context(), '  ')).rejects.toThrow(/empty/);
  });
});

describe('read_file', () => {
  it('returns SMOLTRACE\'s format', async () => {
    await expect(readFileTool.execute({ file_path: 'hello.txt' }, context())).resolves.toBe(
      'File: hello.txt\nSize: 26 bytes\n\nHello, world!\nsecond line\n',
    );
  });

  it('reads the ops fixture', async () => {
    const out = await readFileTool.execute({ file_path: 'logs/app.log' }, context(OPS));
    expect(out).toMatch(/^File: logs\/app\.log\nSize: \d+ bytes\n\n/);
    expect(out.match(/ERROR/g)?.length).toBe(5);
  });

  it('refuses traversal, absolute paths outside and links out', async () => {
    for (const path of ['../outside/secret.txt', join(outside, 'secret.txt'), 'escape.txt', 'escape-dir/secret.txt']) {
      await expect(readFileTool.execute({ file_path: path }, context())).rejects.toThrow(denied);
    }
  });

  it('refuses missing files, directories and binary files', async () => {
    await expect(readFileTool.execute({ file_path: 'nope.txt' }, context())).rejects.toThrow('File not found: nope.txt');
    await expect(readFileTool.execute({ file_path: 'docs' }, context())).rejects.toThrow(/is a directory/);
    await expect(readFileTool.execute({ file_path: 'docs/image.png' }, context())).rejects.toThrow(/binary/);
    await expect(readFileTool.execute({ file_path: 'hello.txt', encoding: 'klingon' }, context())).rejects.toThrow(/Unsupported encoding/);
  });

  it('decodes other encodings', async () => {
    await writeFile(join(work, 'latin.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    await expect(readFileTool.execute({ file_path: 'latin.txt', encoding: 'latin-1' }, context())).resolves.toMatch(/café$/);
  });

  it('refuses files over 10 MiB and truncates long output', async () => {
    await writeFile(join(work, 'huge.txt'), '');
    await truncate(join(work, 'huge.txt'), 10 * 1024 * 1024 + 1);
    await expect(readFileTool.execute({ file_path: 'huge.txt' }, context())).rejects.toThrow(/File too large: huge\.txt is 10 MiB/);
    await writeFile(join(work, 'big.txt'), 'x'.repeat(300 * 1024));
    const out = await readFileTool.execute({ file_path: 'big.txt' }, context());
    expect(out).toContain('Size: 307200 bytes');
    expect(out).toMatch(/\.\.\. \[output truncated: showing the first 102400 of \d+ bytes; use head_tail or grep/);
    expect(Buffer.byteLength(out)).toBeLessThan(103 * 1024);
  });
});

describe('write_file', () => {
  it('writes, appends and creates parent directories', async () => {
    await expect(writeFileTool.execute({ file_path: 'out/a/b.txt', content: 'one\n' }, context())).resolves.toBe(
      'Successfully wrote 4 bytes to out/a/b.txt',
    );
    await expect(writeFileTool.execute({ file_path: 'out/a/b.txt', content: 'two\n', mode: 'append' }, context())).resolves.toBe(
      'Successfully appended 4 bytes to out/a/b.txt',
    );
    expect(await readFile(join(work, 'out/a/b.txt'), 'utf8')).toBe('one\ntwo\n');
  });

  it('refuses to write outside, through links or dangling links, creating nothing', async () => {
    const attempts = ['../outside/x.txt', join(outside, 'y.txt'), 'escape-dir/z.txt', 'escape-dir/sub/z.txt', 'escape.txt', 'dangling.txt'];
    for (const path of attempts) {
      await expect(writeFileTool.execute({ file_path: path, content: 'pwned' }, context())).rejects.toBeInstanceOf(ToolError);
    }
    await expect(readFile(join(outside, 'secret.txt'), 'utf8')).resolves.toBe('the needle outside\n');
    for (const name of ['x.txt', 'y.txt', 'z.txt', 'sub', 'missing.txt']) {
      await expect(readFile(join(outside, name))).rejects.toThrow();
    }
  });

  it('refuses the working directory itself and a directory', async () => {
    await expect(writeFileTool.execute({ file_path: '.', content: 'x' }, context())).rejects.toThrow(/working directory itself/);
    await expect(writeFileTool.execute({ file_path: 'docs', content: 'x' }, context())).rejects.toThrow(/directory/);
  });
});

describe('list_directory', () => {
  it('lists directories first, then files with sizes', async () => {
    const out = await listDirectoryTool.execute({ directory_path: 'docs' }, context());
    expect(out).toBe('Contents of docs (3 entries):\n[DIR]  nested/\n[FILE] image.png (7 bytes)\n[FILE] readme.md (28 bytes)');
  });

  it('filters by glob, defaults to the working directory, marks links', async () => {
    await expect(listDirectoryTool.execute({ directory_path: 'docs', pattern: '*.md' }, context())).resolves.toBe(
      'Contents of docs (1 entries):\n[FILE] readme.md (28 bytes)',
    );
    const root = await listDirectoryTool.execute({}, context());
    expect(root).toContain('[LINK] escape.txt');
    expect(root).not.toContain('secret');
    await expect(listDirectoryTool.execute({ directory_path: 'docs', pattern: '*.zip' }, context())).resolves.toBe("No entries matching '*.zip' in docs");
  });

  it('refuses directories outside and files', async () => {
    await expect(listDirectoryTool.execute({ directory_path: '..' }, context())).rejects.toThrow(denied);
    await expect(listDirectoryTool.execute({ directory_path: 'escape-dir' }, context())).rejects.toThrow(denied);
    await expect(listDirectoryTool.execute({ directory_path: 'hello.txt' }, context())).rejects.toThrow(/not a directory/);
    await expect(listDirectoryTool.execute({ directory_path: 'none' }, context())).rejects.toThrow('Directory not found: none');
  });
});

describe('search_files', () => {
  it('finds names recursively with globs', async () => {
    const out = await searchFilesTool.execute({ directory: '.', pattern: '*.log' }, context());
    expect(out).toBe("Found 1 matches for '*.log' in .:\ndocs/nested/deep.log");
    await expect(searchFilesTool.execute({ directory: 'docs', pattern: '**/*.{md,log}' }, context())).resolves.toBe(
      "Found 2 matches for '**/*.{md,log}' in docs:\ndocs/readme.md\ndocs/nested/deep.log",
    );
    await expect(searchFilesTool.execute({ directory: '.', pattern: 'nested' }, context())).resolves.toContain('docs/nested/');
  });

  it('finds content case-insensitively without following links out', async () => {
    const out = await searchFilesTool.execute({ directory: '.', pattern: 'needle', search_type: 'content' }, context());
    expect(out).toBe("Found 2 matches for 'needle' in .:\ndocs/readme.md:2: The needle is here.\ndocs/nested/deep.log:2: NEEDLE in caps");
    expect(out).not.toContain('outside');
  });

  it('limits results and reports nothing found', async () => {
    const out = await searchFilesTool.execute({ directory: '.', pattern: 'needle', search_type: 'content', max_results: 1 }, context());
    expect(out).toMatch(/^Found 1 matches for 'needle' in \. \(limited to 1\):\n/);
    await expect(searchFilesTool.execute({ directory: '.', pattern: '*.zip' }, context())).resolves.toBe("No files matching '*.zip' found in .");
    await expect(searchFilesTool.execute({ directory: '../outside', pattern: '*' }, context())).rejects.toThrow(denied);
  });

  it('finds ERROR lines in the ops fixture', async () => {
    const out = await searchFilesTool.execute({ directory: '.', pattern: 'connection timeout', search_type: 'content' }, context(OPS));
    expect(out.split('\n').filter((line) => line.startsWith('logs/app.log:'))).toHaveLength(4);
  });
});

describe('compileGlob', () => {
  it.each([
    ['*.log', 'app.log', true],
    ['*.log', 'dir/app.log', false],
    ['**/*.log', 'app.log', true],
    ['**/*.log', 'a/b/app.log', true],
    ['a/**/z', 'a/z', true],
    ['a/**/z', 'a/b/c/z', true],
    ['a/**', 'a/b/c', true],
    ['file?.txt', 'file1.txt', true],
    ['file?.txt', 'file10.txt', false],
    ['[abc]*.md', 'b-notes.md', true],
    ['[!abc]*.md', 'b-notes.md', false],
    ['[0-9][0-9].csv', '42.csv', true],
    ['*.{json,yaml}', 'x.yaml', true],
    ['\\*.txt', '*.txt', true],
    ['\\*.txt', 'a.txt', false],
  ])('%s ~ %s -> %s', (pattern, text, expected) => {
    expect(compileGlob(pattern)(text)).toBe(expected);
  });

  it('stays fast on patterns that make regexes backtrack', () => {
    const started = Date.now();
    expect(compileGlob('*a*a*a*a*a*a*a*a*a*a*b')('a'.repeat(250))).toBe(false);
    expect(Date.now() - started).toBeLessThan(500);
  });
});
