// SMOLTRACE's file tools (spec 3.2), confined to the working directory: read_file, write_file,
// list_directory, search_files. Failures are ToolErrors whose message goes back to the model.
import type { Dirent } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { z } from 'zod';
import { compileGlob } from './glob.js';
import { MAX_OUTPUT_BYTES, capOutput } from './limits.js';
import { isProtectedPath } from './protected-files.js';
import { fsError, resolveSandboxPath } from './sandbox-path.js';
import { readTextFile, writeSandboxFile } from './text-file.js';
import { ToolError, defineTool } from './types.js';

export const readFileTool = defineTool({
  name: 'read_file',
  description:
    'Reads a text file inside the working directory and returns its path, size and content. ' +
    'Files over 10 MiB are refused; output over 100 KiB is truncated (use head_tail or grep for parts).',
  input: z.object({
    file_path: z.string().describe('Path of the file, relative to the working directory, e.g. "logs/app.log".'),
    encoding: z.string().optional().describe('Text encoding, e.g. "utf-8" (default), "latin-1" or "utf-16".'),
  }),
  outputType: 'string',
  async execute({ file_path: filePath, encoding }, context) {
    const file = await readTextFile(context, filePath, { encoding });
    return capOutput(`File: ${file.path.display}\nSize: ${file.size} bytes\n\n${file.text}`, MAX_OUTPUT_BYTES, 'use head_tail or grep to see the rest');
  },
});

export const writeFileTool = defineTool({
  name: 'write_file',
  description:
    'Writes text to a file inside the working directory, creating missing parent directories. ' +
    'mode "write" replaces the file, "append" adds to its end.',
  input: z.object({
    file_path: z.string().describe('Path of the file, relative to the working directory.'),
    content: z.string().describe('The text to write.'),
    mode: z.enum(['write', 'append']).optional().describe('"write" (default) to replace the file, "append" to add to it.'),
  }),
  outputType: 'string',
  async execute({ file_path: filePath, content, mode = 'write' }, context) {
    const { path, bytes } = await writeSandboxFile(context, filePath, content, mode);
    return mode === 'append'
      ? `Successfully appended ${bytes} bytes to ${path.display}`
      : `Successfully wrote ${bytes} bytes to ${path.display}`;
  },
});

const MAX_LIST_ENTRIES = 1000;

async function openDirectory(context: { workingDirectory: string }, input: string) {
  const path = await resolveSandboxPath(context, input);
  try {
    const info = await stat(path.real);
    if (!info.isDirectory()) throw new ToolError(`'${path.display}' is not a directory`);
    return { path, entries: await readdir(path.real, { withFileTypes: true }) };
  } catch (error) {
    if (error instanceof ToolError) throw error;
    if ((error as { code?: string }).code === 'ENOENT') throw new ToolError(`Directory not found: ${input}`);
    throw fsError(error, input);
  }
}

const byName = (a: Dirent, b: Dirent): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export const listDirectoryTool = defineTool({
  name: 'list_directory',
  description:
    'Lists a directory inside the working directory: sub-directories first as "[DIR]  name/", then files as ' +
    '"[FILE] name (N bytes)". An optional glob pattern filters the names.',
  input: z.object({
    directory_path: z.string().optional().describe('Directory relative to the working directory. Default: "." (the working directory).'),
    pattern: z.string().optional().describe('Glob pattern for names, e.g. "*.log". Default: all entries.'),
  }),
  outputType: 'string',
  async execute({ directory_path: directoryPath = '.', pattern }, context) {
    const matches = pattern ? compileGlob(pattern) : () => true;
    const { path, entries } = await openDirectory(context, directoryPath);
    const selected = entries.filter((entry) => matches(entry.name)).sort(byName);
    const dirs = selected.filter((entry) => entry.isDirectory());
    const others = selected.filter((entry) => !entry.isDirectory());
    if (selected.length === 0) {
      return pattern ? `No entries matching '${pattern}' in ${path.display}` : `Directory ${path.display} is empty`;
    }
    const lines = [`Contents of ${path.display} (${selected.length} entries):`];
    for (const entry of dirs.slice(0, MAX_LIST_ENTRIES)) lines.push(`[DIR]  ${entry.name}/`);
    for (const entry of others.slice(0, Math.max(0, MAX_LIST_ENTRIES - dirs.length))) {
      if (entry.isSymbolicLink()) lines.push(`[LINK] ${entry.name}`);
      else {
        const size = await stat(join(path.real, entry.name)).then((info) => info.size, () => undefined);
        lines.push(size === undefined ? `[FILE] ${entry.name}` : `[FILE] ${entry.name} (${size} bytes)`);
      }
    }
    if (selected.length > MAX_LIST_ENTRIES) lines.push(`... [${selected.length - MAX_LIST_ENTRIES} more entries not shown]`);
    return capOutput(lines.join('\n'));
  },
});

/** SMOLTRACE's 18 text extensions searched by content. */
export const TEXT_EXTENSIONS = new Set([
  '.txt', '.md', '.py', '.js', '.ts', '.json', '.yaml', '.yml', '.xml',
  '.html', '.css', '.csv', '.log', '.ini', '.cfg', '.conf', '.sh', '.sql',
]);
const MAX_CONTENT_FILE_BYTES = 1024 * 1024;
const MAX_WALK_ENTRIES = 20_000;
const MAX_DEPTH = 32;

interface WalkEntry {
  relative: string;
  absolute: string;
  dirent: Dirent;
}

/** Depth-first, name-ordered walk that never follows symbolic links (so it cannot leave the sandbox) and skips protected files. */
async function* walk(root: string, limits: { visited: number }): AsyncGenerator<WalkEntry> {
  const stack: Array<{ dir: string; rel: string; depth: number }> = [{ dir: root, rel: '', depth: 0 }];
  while (stack.length > 0) {
    const { dir, rel, depth } = stack.pop()!;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => [] as Dirent[]);
    const subdirs: typeof stack = [];
    for (const dirent of entries.sort(byName)) {
      if (++limits.visited > MAX_WALK_ENTRIES) return;
      const entry = { relative: rel ? `${rel}/${dirent.name}` : dirent.name, absolute: join(dir, dirent.name), dirent };
      // Protected files (.env, keys, tokens) and folders (.ssh) are neither shown nor searched.
      if (isProtectedPath(entry.absolute)) continue;
      yield entry;
      if (dirent.isDirectory() && depth < MAX_DEPTH) subdirs.push({ dir: entry.absolute, rel: entry.relative, depth: depth + 1 });
    }
    stack.push(...subdirs.reverse());
  }
}

export const searchFilesTool = defineTool({
  name: 'search_files',
  description:
    'Searches below a directory of the working directory. search_type "name" (default) finds files and ' +
    'directories whose name matches a glob pattern (recursive); "content" finds lines containing the text ' +
    '(case-insensitive) in text files up to 1 MiB, shown as "path:line: text".',
  input: z.object({
    directory: z.string().describe('Directory to search, relative to the working directory; "." for all of it.'),
    pattern: z.string().min(1).describe('A glob for names (e.g. "*.log", "**/config.*"), or the text to find for content.'),
    search_type: z.enum(['name', 'content']).optional().describe('"name" (default) or "content".'),
    max_results: z.number().int().min(1).max(1000).optional().describe('Maximum results to return (1-1000). Default: 100.'),
  }),
  outputType: 'string',
  async execute({ directory, pattern, search_type: searchType = 'name', max_results: maxResults = 100 }, context) {
    const { path } = await openDirectory(context, directory);
    const limits = { visited: 0 };
    const results: string[] = [];
    if (searchType === 'name') {
      const matches = compileGlob(pattern);
      const onPath = pattern.includes('/');
      for await (const entry of walk(path.real, limits)) {
        if (!matches(onPath ? entry.relative : entry.dirent.name)) continue;
        results.push(`${prefixed(path.display, entry.relative)}${entry.dirent.isDirectory() ? '/' : ''}`);
        if (results.length >= maxResults) break;
      }
    } else {
      const needle = pattern.toLowerCase();
      outer: for await (const entry of walk(path.real, limits)) {
        if (!entry.dirent.isFile() || !TEXT_EXTENSIONS.has(extname(entry.dirent.name).toLowerCase())) continue;
        const size = await stat(entry.absolute).then((info) => info.size, () => Infinity);
        if (size > MAX_CONTENT_FILE_BYTES) continue;
        const text = await readFile(entry.absolute, 'utf8').catch(() => '');
        for (const [index, line] of text.split(/\r?\n/).entries()) {
          if (!line.toLowerCase().includes(needle)) continue;
          const shown = line.trim();
          results.push(`${prefixed(path.display, entry.relative)}:${index + 1}: ${shown.length > 300 ? `${shown.slice(0, 300)}...` : shown}`);
          if (results.length >= maxResults) break outer;
        }
      }
    }
    const where = path.display;
    const stopped = limits.visited > MAX_WALK_ENTRIES ? `\n... [search stopped after ${MAX_WALK_ENTRIES} entries]` : '';
    if (results.length === 0) {
      return searchType === 'name'
        ? `No files matching '${pattern}' found in ${where}${stopped}`
        : `No text files containing '${pattern}' found in ${where}${stopped}`;
    }
    const limited = results.length >= maxResults ? ` (limited to ${maxResults})` : '';
    return capOutput(`Found ${results.length} matches for '${pattern}' in ${where}${limited}:\n${results.join('\n')}${stopped}`);
  },
});

function prefixed(base: string, relative: string): string {
  return base === '.' ? relative : `${base}/${relative}`;
}
