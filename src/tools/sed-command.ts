// Parsing of the sed subset SMOLTRACE's sed tool accepts: `s/a/b/[gi]` (any delimiter),
// `/re/d`, `/re/p`, `Nd`, `N,Md`, `Np`, `N,Mp` (`$` = last line). Patterns are JavaScript
// regular expressions (like `sed -E`; Python's named groups are translated by compilePattern).
import { ToolError } from './types.js';

export type LineAddress = { kind: 'regex'; pattern: string } | { kind: 'range'; from: number | '$'; to: number | '$' };

export type SedCommand =
  | { kind: 'substitute'; pattern: string; replacement: string; global: boolean; ignoreCase: boolean }
  | { kind: 'delete' | 'print'; address: LineAddress };

const USAGE = 'supported: s/pattern/replacement/[g][i], /pattern/d, /pattern/p, Nd, N,Md, Np, N,Mp ($ = last line)';

/** Splits `text` at unescaped `delimiter`s; escapes stay in place (`\\/` remains `\\/`). */
function splitUnescaped(text: string, delimiter: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      current += `\\${text[++i]!}`;
      continue;
    }
    if (c === delimiter) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

/** sed replacement syntax (`\1`, `&`, `\n`) to String.prototype.replace syntax (`$1`, `$&`). */
export function sedReplacement(text: string, delimiter = '/'): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      const next = text[++i]!;
      if (/[0-9]/.test(next)) out += next === '0' ? '$&' : `$${next}`;
      else if (next === 'n') out += '\n';
      else if (next === 't') out += '\t';
      else if (next === '$') out += '$$';
      else out += next === delimiter || next === '&' || next === '\\' ? next : `\\${next}`;
    } else if (c === '&') out += '$&';
    else if (c === '$') out += '$$';
    else out += c;
  }
  return out;
}

function lineNumber(text: string, command: string): number | '$' {
  if (text === '$') return '$';
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1) throw new ToolError(`Invalid line number '${text}' in sed command '${command}'`);
  return value;
}

export function parseSedCommand(input: string, options: { globalReplace?: boolean; ignoreCase?: boolean } = {}): SedCommand {
  const command = input.trim();
  if (command.startsWith('s') && command.length > 1 && !/[\w\s\\]/.test(command[1]!)) {
    const delimiter = command[1]!;
    const parts = splitUnescaped(command.slice(2), delimiter);
    if (parts.length !== 3) throw new ToolError(`Invalid sed command '${input}': expected s${delimiter}pattern${delimiter}replacement${delimiter}[flags]`);
    const [pattern, replacement, flags] = parts as [string, string, string];
    if (!pattern) throw new ToolError(`Invalid sed command '${input}': the pattern is empty`);
    const unknown = flags.replace(/[giI]/g, '');
    if (unknown) throw new ToolError(`Invalid sed command '${input}': unsupported flag(s) '${unknown}' (only g and i)`);
    return {
      kind: 'substitute',
      pattern,
      replacement: sedReplacement(replacement, delimiter),
      global: flags.includes('g') || (options.globalReplace ?? false),
      ignoreCase: /[iI]/.test(flags) || (options.ignoreCase ?? false),
    };
  }
  const regexAddress = /^\/((?:\\.|[^\\/])+)\/\s*([dp])$/s.exec(command);
  if (regexAddress) {
    return { kind: regexAddress[2] === 'd' ? 'delete' : 'print', address: { kind: 'regex', pattern: regexAddress[1]! } };
  }
  const range = /^(\d+|\$)(?:\s*,\s*(\d+|\$))?\s*([dp])$/.exec(command);
  if (range) {
    const from = lineNumber(range[1]!, input);
    const to = range[2] === undefined ? from : lineNumber(range[2], input);
    return { kind: range[3] === 'd' ? 'delete' : 'print', address: { kind: 'range', from, to } };
  }
  throw new ToolError(`Unsupported sed command '${input}' (${USAGE})`);
}
