// The saved help texts (src/cli/help-cache.ts, written by scripts/build-help.mjs at build time) against
// what the program prints itself, and the rules for when they are used.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { cachedHelp, helpFileName, helpRequest, HELP_WIDTH } from '../../src/cli/help-cache.js';
import { CLI_PATH, cliEnvironment, runCli } from '../helpers/cli.js';

const run = promisify(execFile);
const PROGRAM = pathToFileURL(CLI_PATH.replace(/main\.js$/, 'program.js')).href;
const HELP_FOLDER = new URL('../../dist/help/', import.meta.url);

/** The program's own answer (no saved text involved), with its output piped as in the tests. */
async function liveHelp(words: string[]): Promise<string> {
  const script = `const { runProgram } = await import(${JSON.stringify(PROGRAM)}); await runProgram(process.argv);`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script, 'agent-eval', ...words], { env: cliEnvironment() });
  return stdout;
}

describe('saved help texts', () => {
  it('are byte for byte what the program prints, for the program and every command', async () => {
    const files = (await readdir(HELP_FOLDER)).sort();
    expect(files).toContain('agent-eval.txt');
    expect(files).toContain('run.txt');
    for (const file of files) {
      const command = file === 'agent-eval.txt' ? null : file.replace(/\.txt$/, '');
      const words = command === null ? ['--help'] : [command, '--help'];
      const served = await runCli(words);
      expect(served.code).toBe(0);
      expect(served.stdout).toBe(await liveHelp(words));
    }
  }, 120_000);

  it('answer only plain help requests', () => {
    expect(helpRequest(['--help'])).toBeNull();
    expect(helpRequest(['-h'])).toBeNull();
    expect(helpRequest(['run', '--help'])).toBe('run');
    expect(helpRequest(['report', '-h'])).toBe('report');
    for (const words of [[], ['run'], ['help', 'run'], ['run', '--model', 'x', '--help'], ['jobs', 'run', '--help'], ['../x', '--help'], ['--version']]) {
      expect(helpRequest(words)).toBeUndefined();
    }
  });

  it('are used when commander would print the same bytes, and fall back to the program otherwise', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'agent-eval-help-'));
    await writeFile(join(folder, helpFileName('run')), 'saved run help\n');
    const url = pathToFileURL(`${folder}/`);
    expect(cachedHelp(['run', '--help'], { isTTY: false }, url)).toBe('saved run help\n');
    expect(cachedHelp(['run', '--help'], { isTTY: true, columns: HELP_WIDTH }, url)).toBe('saved run help\n');
    // A terminal of another width: commander wraps to it, so the program answers.
    expect(cachedHelp(['run', '--help'], { isTTY: true, columns: 120 }, url)).toBeUndefined();
    // No saved text (a command without one, or a build without dist/help): the program answers.
    expect(cachedHelp(['score', '--help'], { isTTY: false }, url)).toBeUndefined();
    expect(cachedHelp(['run', '--model', 'x'], { isTTY: false }, url)).toBeUndefined();
  });

  it('a word that is not a command gets what the program prints for it (no saved text)', async () => {
    const served = await runCli(['no-such-command', '--help']);
    expect(served.code).toBe(0);
    expect(served.stdout).toBe(await liveHelp(['no-such-command', '--help']));
  });
});
