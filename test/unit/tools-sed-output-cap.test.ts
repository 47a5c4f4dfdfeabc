// sed stops building its result at the output cap, instead of building it whole and cutting it after.
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_OUTPUT_BYTES } from '../../src/tools/limits.js';
import { compilePattern, replaceLines, replaceLinesBounded } from '../../src/tools/regex-runner.js';
import { sedTool } from '../../src/tools/text-tools.js';
import type { ToolContext } from '../../src/tools/types.js';

let work: string;
const context = (): ToolContext => ({ signal: new AbortController().signal, workingDirectory: work, now: () => new Date() });

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'agent-eval-sed-cap-'));
  // 64 lines of 64 KiB: `&` repeated 1000 times would build about 4 GB.
  await writeFile(join(work, 'wide.txt'), `${'a'.repeat(64 * 1024)}\n`.repeat(64));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('sed output cap', () => {
  it('returns the first 100 KiB with a marker, quickly, when a replacement multiplies the text', async () => {
    const started = performance.now();
    const out = await sedTool.execute({ file_path: 'wide.txt', command: `s/.*/${'&'.repeat(1000)}/` }, context());
    expect(performance.now() - started).toBeLessThan(3000);
    expect(out).toMatch(/\n\.\.\. \[output truncated: the result is larger than 100 KiB; narrow the command or write it with output_file\]$/);
    expect(Buffer.byteLength(out)).toBeLessThan(MAX_OUTPUT_BYTES + 200);
  });

  it('refuses to write a result past 10 MiB, and writes nothing', async () => {
    await expect(sedTool.execute({ file_path: 'wide.txt', command: 's/a/aaaaaaaa/g', output_file: 'out.txt' }, context())).rejects.toThrow(
      "The result of 's/a/aaaaaaaa/g' would be larger than 10 MiB; nothing was written",
    );
    await expect(stat(join(work, 'out.txt'))).rejects.toThrow();
  });

  it('stops inside one line: the budget counts each piece of the replacement', async () => {
    const bounded = await replaceLinesBounded(compilePattern('.+'), ['x'.repeat(1000)], '$&$&$&$&', { maxChars: 2500 });
    expect(bounded).toEqual({ lines: [], truncated: true });
  });

  it('keeps String.prototype.replace semantics for $ patterns', async () => {
    const pattern = compilePattern('(?<word>b)(o)', { global: true });
    const lines = ['abob', 'x$y'];
    for (const replacement of ['[$&]', '$2$1', '$<word>!', '$$', "$`|$'", '$3$0', '$12']) {
      expect(await replaceLines(pattern, lines, replacement)).toEqual(lines.map((line) => line.replace(new RegExp(pattern.source, pattern.flags), replacement)));
    }
  });
});
