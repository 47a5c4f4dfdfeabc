import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { parseSandboxLimits } from '../../src/sandbox/limits.js';
import { writeSandboxFile } from '../../src/tools/text-file.js';

describe('--sandbox-limit', () => {
  it('reads sizes in binary units, counts and the memory share in MiB', () => {
    expect(
      parseSandboxLimits(['observation=128KiB', 'final-answer=1MB', 'tool-arguments=2048', 'tool-calls-per-step=64', 'memory=1GiB', 'written-per-task=5MiB']),
    ).toEqual({
      outputLimitBytes: 131_072,
      finalAnswerBytes: 1_048_576,
      toolArgumentBytes: 2048,
      toolCallsPerStep: 64,
      memoryLimitMiB: 1024,
      writtenBytesPerTask: 5 * 2 ** 20,
    });
    expect(parseSandboxLimits(['memory=768'])).toEqual({ memoryLimitMiB: 768 });
    expect(parseSandboxLimits(undefined)).toEqual({});
  });

  it('names the flag and what is wrong in one line', () => {
    const bad = (value: string) => () => parseSandboxLimits([value]);
    expect(bad('speed=3')).toThrow(InputError);
    expect(bad('speed=3')).toThrow("--sandbox-limit speed=3: unknown limit 'speed'; choose one of observation, final-answer, tool-arguments, tool-calls-per-step, memory, written-per-task");
    expect(bad('observation')).toThrow('--sandbox-limit observation: give a value, as in observation=64KiB');
    expect(bad('observation=lots')).toThrow("'lots' is not a size");
    expect(bad('tool-calls-per-step=2.5')).toThrow('must be a whole number');
    expect(bad('final-answer=0')).toThrow('must be more than 0');
  });
});

describe('bytes written per task', () => {
  it('refuses a write that would take the task past its limit, and counts only what was written', async () => {
    const workingDirectory = await mkdtemp(join(tmpdir(), 'write-budget-'));
    const context = { workingDirectory, writeLimitBytes: 10, written: { bytes: 0 } };
    await writeSandboxFile(context, 'a.txt', '123456');
    await expect(writeSandboxFile(context, 'b.txt', '12345')).rejects.toThrow(
      'Write refused: this task has written 6 bytes and the limit per task is 10 bytes (--sandbox-limit written-per-task)',
    );
    await writeSandboxFile(context, 'a.txt', '7890', 'append');
    expect(context.written.bytes).toBe(10);
    expect(await readFile(join(workingDirectory, 'a.txt'), 'utf8')).toBe('1234567890');
  });
});
