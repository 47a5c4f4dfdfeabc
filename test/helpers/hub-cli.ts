// The Hub commands in process: registerHubCommands on a fresh commander program, with captured output
// and a fake terminal whose typed lines are `answers`.
import { Readable } from 'node:stream';
import { Command } from 'commander';
import { registerHubCommands } from '../../src/cli/hub-commands.js';

export interface HubCliResult {
  code: number;
  out: string;
  err: string;
  /** What the command threw (an InputError ends here, as main.ts would print it). */
  error: unknown;
}

export async function runHubCommand(
  args: string[],
  options: { env: Record<string, string | undefined>; answers?: string[]; isTTY?: boolean },
): Promise<HubCliResult> {
  const out: string[] = [];
  const err: string[] = [];
  let code = 0;
  const program = new Command('agent-eval').exitOverride().configureOutput({ writeErr: (text) => err.push(text), writeOut: (text) => out.push(text) });
  registerHubCommands(program, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    setExitCode: (value) => (code = value),
    input: Readable.from((options.answers ?? []).map((answer) => `${answer}\n`)),
    isTTY: options.isTTY ?? false,
    env: options.env,
    retry: { tries: 1 },
  });
  let error: unknown;
  try {
    await program.parseAsync(['node', 'agent-eval', ...args]);
  } catch (caught) {
    error = caught;
  }
  return { code, out: out.join('\n'), err: err.join('\n'), error };
}
