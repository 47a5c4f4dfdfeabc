// A fake `nvidia-smi`: a POSIX shell script in a temp dir that answers each invocation with the
// next scripted output (the last one repeats), counting calls in a file and logging arguments.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NVIDIA_SMI_FIXTURES = fileURLToPath(new URL('../fixtures/nvidia-smi/', import.meta.url));

/** Text of a recorded output under test/fixtures/nvidia-smi/. */
export function nvidiaSmiFixture(name: string): string {
  return readFileSync(join(NVIDIA_SMI_FIXTURES, name), 'utf8');
}

export interface FakeOutput {
  stdout?: string;
  stderr?: string;
  exitCode?: number;
  /** Fixture file name whose text becomes stdout (overrides `stdout`). */
  fixture?: string;
}

export interface FakeNvidiaSmi {
  /** Directory holding the `nvidia-smi` script; put it first on PATH. */
  dir: string;
  /** Absolute path of the script. */
  binary: string;
  invocations(): number;
  /** One line per invocation: the arguments joined by spaces. */
  argumentLog(): string[];
  /** `PATH` with `dir` first. */
  pathWithFake(path?: string): string;
  cleanup(): void;
}

/** Writes the fake. `outputs` is one output or a sequence answered in order. */
export function createFakeNvidiaSmi(outputs: FakeOutput | FakeOutput[]): FakeNvidiaSmi {
  const list = Array.isArray(outputs) ? outputs : [outputs];
  if (list.length === 0) throw new Error('createFakeNvidiaSmi needs at least one output');
  const dir = mkdtempSync(join(tmpdir(), 'fake-nvidia-smi-'));
  list.forEach((output, i) => {
    const stdout = output.fixture !== undefined ? nvidiaSmiFixture(output.fixture) : (output.stdout ?? '');
    writeFileSync(join(dir, `stdout-${i}`), stdout);
    writeFileSync(join(dir, `stderr-${i}`), output.stderr ?? '');
    writeFileSync(join(dir, `code-${i}`), String(output.exitCode ?? 0));
  });
  const binary = join(dir, 'nvidia-smi');
  const script = [
    '#!/bin/sh',
    `d='${dir}'`,
    'n=$(cat "$d/counter" 2>/dev/null || echo 0)',
    'echo $((n + 1)) > "$d/counter"',
    'printf "%s\\n" "$*" >> "$d/args.log"',
    `if [ "$n" -gt ${list.length - 1} ]; then n=${list.length - 1}; fi`,
    'cat "$d/stdout-$n"',
    'cat "$d/stderr-$n" >&2',
    'exit "$(cat "$d/code-$n")"',
    '',
  ].join('\n');
  writeFileSync(binary, script);
  chmodSync(binary, 0o755);
  return {
    dir,
    binary,
    invocations: () => {
      try {
        return Number(readFileSync(join(dir, 'counter'), 'utf8').trim());
      } catch {
        return 0;
      }
    },
    argumentLog: () => {
      try {
        return readFileSync(join(dir, 'args.log'), 'utf8').split('\n').filter((line) => line !== '');
      } catch {
        return [];
      }
    },
    pathWithFake: (path = process.env.PATH ?? '') => (path ? `${dir}${delimiter}${path}` : dir),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
