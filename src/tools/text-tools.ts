// SMOLTRACE's text tools (spec 3.2) over files in the working directory: grep, sed, sort,
// head_tail. Regexes run in a worker with a time limit (regex-runner.ts); files are capped at 10 MiB.
import { z } from 'zod';
import { MAX_OUTPUT_BYTES, MAX_WRITE_BYTES, capOutput, formatBytes } from './limits.js';
import { compilePattern, replaceLinesBounded, testLines } from './regex-runner.js';
import { parseSedCommand, type LineAddress } from './sed-command.js';
import { readTextFile, writeSandboxFile } from './text-file.js';
import { ToolError, defineTool, type ToolContext } from './types.js';

/** Lines of a text; a final newline does not make an extra empty line. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

async function emit(context: ToolContext, lines: string[], outputFile: string | undefined, summary: string): Promise<string> {
  if (outputFile) {
    const { path } = await writeSandboxFile(context, outputFile, lines.length ? `${lines.join('\n')}\n` : '');
    return `${summary}; wrote ${lines.length} lines to ${path.display}`;
  }
  return lines.length ? capOutput(lines.join('\n')) : `${summary}; the result is empty`;
}

export const grepTool = defineTool({
  name: 'grep',
  description:
    'Finds lines of a file matching a regular expression. Matching lines are prefixed "N:", context lines "N-", ' +
    'and "--" separates non-adjacent groups. count_only returns just the number of matching lines.',
  input: z.object({
    file_path: z.string().describe('File to search, relative to the working directory.'),
    pattern: z.string().min(1).describe('Regular expression, e.g. "ERROR|FATAL" or "timeout after \\\\d+ ms".'),
    case_insensitive: z.boolean().optional().describe('Ignore case. Default: false.'),
    line_numbers: z.boolean().optional().describe('Prefix lines with their numbers. Default: true.'),
    context_before: z.number().int().min(0).max(100).optional().describe('Lines of context before each match (0-100). Default: 0.'),
    context_after: z.number().int().min(0).max(100).optional().describe('Lines of context after each match (0-100). Default: 0.'),
    invert_match: z.boolean().optional().describe('Select the lines that do NOT match. Default: false.'),
    count_only: z.boolean().optional().describe('Return only the number of matching lines. Default: false.'),
  }),
  outputType: 'string',
  async execute(input, context) {
    const pattern = compilePattern(input.pattern, { ignoreCase: input.case_insensitive });
    const file = await readTextFile(context, input.file_path);
    const lines = splitLines(file.text);
    const matched = (await testLines(pattern, lines, context.signal)).map((hit) => hit !== (input.invert_match ?? false));
    const count = matched.filter(Boolean).length;
    if (input.count_only) return String(count);
    if (count === 0) return `No lines ${input.invert_match ? 'without' : 'matching'} '${input.pattern}' in ${file.path.display}`;
    const before = input.context_before ?? 0;
    const after = input.context_after ?? 0;
    const numbers = input.line_numbers ?? true;
    const shown = new Uint8Array(lines.length); // 1 = match, 2 = context
    matched.forEach((hit, index) => {
      if (!hit) return;
      for (let k = Math.max(0, index - before); k <= Math.min(lines.length - 1, index + after); k++) if (!shown[k]) shown[k] = 2;
      shown[index] = 1;
    });
    const out: string[] = [];
    let previous = -1;
    shown.forEach((kind, index) => {
      if (!kind) return;
      if ((before || after) && previous !== -1 && index > previous + 1) out.push('--');
      out.push(numbers ? `${index + 1}${kind === 1 ? ':' : '-'}${lines[index]}` : lines[index]!);
      previous = index;
    });
    return capOutput(out.join('\n'));
  },
});

function inRange(address: Extract<LineAddress, { kind: 'range' }>, index: number, total: number): boolean {
  const from = address.from === '$' ? total : address.from;
  const to = address.to === '$' ? total : address.to;
  return index + 1 >= from && index + 1 <= Math.max(from, to);
}

export const sedTool = defineTool({
  name: 'sed',
  description:
    'Edits the lines of a file like sed -E: "s/pattern/replacement/g" substitutes (\\1 and & refer to the match), ' +
    '"/pattern/d" deletes matching lines, "/pattern/p" or "5p" / "2,8p" prints only those lines, "3d" / "3,5d" deletes them. ' +
    'Returns the result, or writes it to output_file. The input file is never changed unless output_file names it.',
  input: z.object({
    file_path: z.string().describe('File to edit, relative to the working directory.'),
    command: z.string().min(1).describe('The sed command, e.g. "s/ERROR/WARN/g", "/DEBUG/d" or "10,20p".'),
    global_replace: z.boolean().optional().describe('Replace every match on a line, as the g flag does. Default: false.'),
    case_insensitive: z.boolean().optional().describe('Ignore case in the pattern. Default: false.'),
    output_file: z.string().optional().describe('Write the result to this file (relative to the working directory) instead of returning it.'),
  }),
  outputType: 'string',
  async execute(input, context) {
    const command = parseSedCommand(input.command, { globalReplace: input.global_replace, ignoreCase: input.case_insensitive });
    const file = await readTextFile(context, input.file_path);
    const lines = splitLines(file.text);
    if (command.kind === 'substitute') {
      const pattern = compilePattern(command.pattern, { ignoreCase: command.ignoreCase, global: command.global });
      // Built against the cap of where it goes, so a replacement that multiplies the text stops early.
      const maxChars = input.output_file ? MAX_WRITE_BYTES : MAX_OUTPUT_BYTES;
      const { lines: result, truncated } = await replaceLinesBounded(pattern, lines, command.replacement, { maxChars, signal: context.signal });
      if (truncated && input.output_file) throw new ToolError(`The result of '${input.command}' would be larger than ${formatBytes(MAX_WRITE_BYTES)}; nothing was written`);
      if (truncated) {
        const head = capOutput(result.join('\n'), MAX_OUTPUT_BYTES).split('\n... [output truncated')[0];
        return `${head}\n... [output truncated: the result is larger than ${formatBytes(MAX_OUTPUT_BYTES)}; narrow the command or write it with output_file]`;
      }
      const changed = result.filter((line, index) => line !== lines[index]).length;
      return emit(context, result, input.output_file, `${changed} of ${lines.length} lines changed`);
    }
    let selected: boolean[];
    const address = command.address;
    if (address.kind === 'regex') {
      selected = await testLines(compilePattern(address.pattern, { ignoreCase: input.case_insensitive }), lines, context.signal);
    } else selected = lines.map((_, index) => inRange(address, index, lines.length));
    const keep = command.kind === 'print' ? selected : selected.map((hit) => !hit);
    const result = lines.filter((_, index) => keep[index]);
    const verb = command.kind === 'print' ? 'printed' : 'deleted';
    return emit(context, result, input.output_file, `${selected.filter(Boolean).length} of ${lines.length} lines ${verb}`);
  },
});

const NUMBER_PREFIX = /^\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)/;

/** `sort -n` key: the leading number of the line, 0 when there is none (as GNU sort does). */
export function numericKey(line: string): number {
  const match = NUMBER_PREFIX.exec(line);
  return match ? Number(match[1]) : 0;
}

export function sortLines(lines: string[], options: { numeric?: boolean; reverse?: boolean; unique?: boolean; caseInsensitive?: boolean }): string[] {
  const text = (line: string): string => (options.caseInsensitive ? line.toLowerCase() : line);
  const byText = (a: string, b: string): number => (text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0);
  const byKey = options.numeric ? (a: string, b: string): number => numericKey(a) - numericKey(b) : byText;
  const sign = options.reverse ? -1 : 1;
  const sorted = [...lines].sort((a, b) => sign * (byKey(a, b) || (options.unique ? 0 : byText(a, b) || (a < b ? -1 : a > b ? 1 : 0))));
  if (!options.unique) return sorted;
  return sorted.filter((line, index) => index === 0 || byKey(sorted[index - 1]!, line) !== 0);
}

export const sortTool = defineTool({
  name: 'sort',
  description: 'Sorts the lines of a file (byte order, or by leading number) and returns them, or writes them to output_file.',
  input: z.object({
    file_path: z.string().describe('File to sort, relative to the working directory.'),
    numeric: z.boolean().optional().describe('Sort by the number at the start of each line, like sort -n. Default: false.'),
    reverse: z.boolean().optional().describe('Largest first. Default: false.'),
    unique: z.boolean().optional().describe('Keep only the first of equal lines. Default: false.'),
    case_insensitive: z.boolean().optional().describe('Ignore case when comparing. Default: false.'),
    output_file: z.string().optional().describe('Write the result to this file (relative to the working directory) instead of returning it.'),
  }),
  outputType: 'string',
  async execute(input, context) {
    const file = await readTextFile(context, input.file_path);
    const lines = splitLines(file.text);
    const sorted = sortLines(lines, {
      numeric: input.numeric,
      reverse: input.reverse,
      unique: input.unique,
      caseInsensitive: input.case_insensitive,
    });
    return emit(context, sorted, input.output_file, `sorted ${lines.length} lines`);
  },
});

export const headTailTool = defineTool({
  name: 'head_tail',
  description: 'Returns the first (head) or last (tail) lines of a file.',
  input: z.object({
    file_path: z.string().describe('File to read, relative to the working directory.'),
    mode: z.enum(['head', 'tail']).optional().describe('"head" (default) for the first lines, "tail" for the last.'),
    lines: z.number().int().min(1).max(100_000).optional().describe('How many lines. Default: 10.'),
  }),
  outputType: 'string',
  async execute({ file_path: filePath, mode = 'head', lines: count = 10 }, context) {
    const file = await readTextFile(context, filePath);
    const lines = splitLines(file.text);
    if (lines.length === 0) return `${file.path.display} is empty`;
    const selected = mode === 'head' ? lines.slice(0, count) : lines.slice(-count);
    return capOutput(selected.join('\n'));
  },
});

