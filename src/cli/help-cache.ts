/**
 * Help texts written at build time (scripts/build-help.mjs runs the built program once per command
 * with its output piped, and saves what it printed to dist/help/). commander wraps help to the
 * terminal's width, or to 80 columns when the output is not a terminal: a saved text is used only
 * where commander would have printed the same bytes, and a missing or unreadable file falls back to
 * the program.
 */
import { readFileSync } from 'node:fs';

/** The width commander wraps help to when stdout is not a terminal, and the saved texts' width. */
export const HELP_WIDTH = 80;

/** The file name a help text is saved under: the command's name, or `agent-eval` for the program's own help. */
export function helpFileName(command: string | null): string {
  return `${command ?? 'agent-eval'}.txt`;
}

/**
 * The command whose help the words ask for (null: the program's own), or undefined when they ask for
 * anything else: only `--help`/`-h` alone or after one command name qualify.
 */
export function helpRequest(words: readonly string[]): string | null | undefined {
  const isHelp = (word: string | undefined) => word === '--help' || word === '-h';
  if (words.length === 1 && isHelp(words[0])) return null;
  if (words.length === 2 && /^[a-z][a-z-]*$/.test(words[0]!) && isHelp(words[1])) return words[0]!;
  return undefined;
}

/** The saved help for the request, or undefined when the program must answer it. */
export function cachedHelp(words: readonly string[], stdout: { isTTY?: boolean; columns?: number }, folder = new URL('../help/', import.meta.url)): string | undefined {
  const command = helpRequest(words);
  if (command === undefined) return undefined;
  if (stdout.isTTY && stdout.columns !== HELP_WIDTH) return undefined;
  try {
    return readFileSync(new URL(helpFileName(command), folder), 'utf8');
  } catch {
    return undefined;
  }
}
