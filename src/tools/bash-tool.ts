// The `bash` tool: commands run in a simulated shell (just-bash, a bash interpreter written in TypeScript
// over an in-memory file system), never in the host's shell. The shell sees only the task's fixture
// files, has no network (no curl is registered without a network configuration), no Python or
// JavaScript runtime, and no way to start a host process: every command is a TypeScript function of
// the library. Limits (commands, loops, output, file-system bytes, wall time) are the library's
// `hardened` profile with our time and size caps on top.
import { posix } from 'node:path';
import { z } from 'zod';
import { capOutput } from './limits.js';
import { ToolError, defineTool, type AnyTool } from './types.js';

export const BASH_TOOL = 'bash';
/** Where the fixture's files are placed, and the shell's working directory. */
export const FIXTURE_ROOT = '/workspace';
/** Wall-clock limit of one command line. */
export const COMMAND_TIMEOUT_MS = 10_000;
/** Output one command line may print (stdout and stderr together) before the library stops it. */
const COMMAND_OUTPUT_BYTES = 1024 * 1024;
/** Bytes the shell's in-memory file system may hold. */
const FILE_SYSTEM_BYTES = 64 * 1024 * 1024;
/** Fixture files carry a fixed modification time, so `ls -l` prints the same in every run. */
const FIXTURE_TIME = new Date('2000-01-01T00:00:00Z');

/** A task's files: relative path -> content. */
export type Fixture = Readonly<Record<string, string>>;

export interface ShellOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** One simulated shell: its file system persists across `run` calls, its variables and directory do not. */
export interface SimulatedShell {
  run(command: string, signal?: AbortSignal): Promise<ShellOutput>;
}

/** `path` inside the fixture root, or an error for an absolute path or one that climbs out of it. */
export function fixturePath(path: string): string {
  const normalized = posix.normalize(path.replaceAll('\\', '/'));
  if (path.trim() === '' || posix.isAbsolute(normalized) || normalized === '..' || normalized.startsWith('../') || normalized === '.') {
    throw new Error(`fixture path '${path}' must be a relative path inside the task's folder`);
  }
  return posix.join(FIXTURE_ROOT, normalized);
}

/** A fresh shell whose working directory is the fixture's root, holding a copy of the fixture's files. */
export async function createSimulatedShell(fixture: Fixture = {}): Promise<SimulatedShell> {
  const { Bash } = await import('just-bash');
  const files = Object.fromEntries(Object.entries(fixture).map(([path, content]) => [fixturePath(path), { content, mtime: FIXTURE_TIME }]));
  const bash = new Bash({
    files,
    cwd: FIXTURE_ROOT,
    // Only these variables: nothing of the harness's environment reaches the shell.
    env: { HOME: FIXTURE_ROOT, USER: 'user', LANG: 'C.UTF-8' },
    executionLimitProfile: 'hardened',
    executionLimits: { maxExecutionTimeMs: COMMAND_TIMEOUT_MS, maxOutputSize: COMMAND_OUTPUT_BYTES, maxFileSystemBytes: FILE_SYSTEM_BYTES },
  });
  return {
    async run(command, signal) {
      const result = await bash.exec(command, signal ? { signal } : {});
      return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode };
    },
  };
}

/** Runs one command line on a fresh copy of the fixture (the bash scorer's reference and final commands). */
export async function runOnFreshFixture(fixture: Fixture, command: string, signal?: AbortSignal): Promise<ShellOutput> {
  const shell = await createSimulatedShell(fixture);
  return shell.run(command, signal);
}

/** What the model sees: stdout, then stderr and the exit status when there are any. */
export function formatShellOutput(output: ShellOutput): string {
  const parts: string[] = [];
  if (output.stdout) parts.push(output.stdout.replace(/\n$/, ''));
  if (output.stderr) parts.push(`[stderr]\n${output.stderr.replace(/\n$/, '')}`);
  if (output.exitCode !== 0) parts.push(`[exit status ${output.exitCode}]`);
  return capOutput(parts.length ? parts.join('\n') : '(no output)');
}

const bashInput = z.object({
  command: z.string().min(1, 'must be a non-empty command line').max(64 * 1024).describe('The bash command line to run, e.g. "find . -name \'*.log\' | wc -l"'),
});

/**
 * A `bash` tool over its own simulated shell, seeded with `fixture` when first used: files written by one
 * call are there for the next. One instance per task (the task runner makes it), so tasks never share files.
 */
export function createBashTool(fixture: Fixture = {}): AnyTool {
  let shell: Promise<SimulatedShell> | undefined;
  return defineTool({
    name: BASH_TOOL,
    description:
      `Runs a bash command line in a simulated shell whose working directory (${FIXTURE_ROOT}) holds the task's files, and returns what it prints. ` +
      'Common Unix commands are available (ls, find, grep, sed, awk, sort, uniq, wc, head, tail, cut, tr, xargs, cat, cp, mv, rm, mkdir, jq); ' +
      'files written persist between calls of this task. There is no network and no access to any other machine or program.',
    input: bashInput,
    outputType: 'string',
    async execute({ command }, context) {
      shell ??= createSimulatedShell(fixture);
      let output: ShellOutput;
      try {
        output = await (await shell).run(command, context.signal);
      } catch (error) {
        throw new ToolError(`the shell could not run the command: ${error instanceof Error ? error.message : String(error)}`);
      }
      return formatShellOutput(output);
    },
  });
}
