// Which tools an agent gets: the core tools, always; the file/text tools, process/system tools and
// web tools named with --enable-tools, one by one or as the groups `files` and `system` (SMOLTRACE's
// names accepted as aliases).
import { InputError } from '../errors.js';
import { BASH_TOOL, createBashTool } from './bash-tool.js';
import { builtinTools, FINAL_ANSWER_TOOL } from './builtin.js';
import { curlTool } from './curl.js';
import { listDirectoryTool, readFileTool, searchFilesTool, writeFileTool } from './file-tools.js';
import { killTool, psTool } from './process-tools.js';
import { createEnvTool, pingTool, whichTool } from './system-tools.js';
import { grepTool, headTailTool, sedTool, sortTool } from './text-tools.js';
import type { SearchSettings } from './search-providers.js';
import type { AnyTool } from './types.js';
import { createWebSearchTool } from './web-search.js';
import { visitWebpageTool, wikipediaSearchTool } from './web-tools.js';

/** SMOLTRACE's always-on tools plus web_search and final_answer (src/tools/builtin.ts). */
export function coreTools(): AnyTool[] {
  return builtinTools();
}

/** File and text tools, confined to the working directory. */
export function fileTools(): AnyTool[] {
  return [readFileTool, writeFileTool, listDirectoryTool, searchFilesTool, grepTool, sedTool, sortTool, headTailTool];
}

/** Process and system tools; a fresh env tool each call, so `env set` values never outlive a run. */
export function processTools(): AnyTool[] {
  return [psTool, killTool, createEnvTool(), whichTool, curlTool, pingTool];
}

/** Factories of the tools --enable-tools can add, one by one or by group. */
export const OPTIONAL_TOOL_FACTORIES: Readonly<Record<string, () => AnyTool>> = {
  ...Object.fromEntries(fileTools().map((tool) => [tool.name, () => tool])),
  ...Object.fromEntries(processTools().map((tool) => [tool.name, () => (tool.name === 'env' ? createEnvTool() : tool)])),
  visit_webpage: () => visitWebpageTool,
  wikipedia_search: () => wikipediaSearchTool,
  // A simulated shell; the task runner gives each task its own, seeded with the row's fixture.
  [BASH_TOOL]: () => createBashTool(),
};

/** Group names for --enable-tools. */
export const TOOL_GROUPS: Readonly<Record<string, readonly string[]>> = {
  files: fileTools().map((tool) => tool.name),
  system: processTools().map((tool) => tool.name),
};

export const OPTIONAL_TOOLS: readonly string[] = Object.keys(OPTIONAL_TOOL_FACTORIES);

/** Tools that reach the network (for the security profile). */
export const NETWORK_TOOLS: readonly string[] = ['curl', 'ping', 'web_search', 'visit_webpage', 'wikipedia_search'];

/** SMOLTRACE names that are accepted but add nothing (the tool is always on). */
const ALWAYS_ON_ALIASES: Readonly<Record<string, string>> = { duckduckgo_search: 'web_search' };

const UNSUPPORTED: Readonly<Record<string, string>> = {
  google_search:
    'needs --search-provider serper or brave (with SERPER_API_KEY / BRAVE_API_KEY): it is web_search on that provider; web_search on DuckDuckGo is always on',
  user_input: 'not supported: an evaluation run has nobody to answer the agent\'s questions',
};

export interface ResolveToolsOptions {
  /** Names given to --enable-tools (tools or groups); comma-separated entries are split. */
  enableTools: readonly string[];
  /** More optional tools by name (e.g. python_interpreter), merged over OPTIONAL_TOOL_FACTORIES. */
  optional?: Readonly<Record<string, () => AnyTool>>;
  /** web_search's provider (`--search-provider`, from `searchSettings`); default DuckDuckGo. */
  search?: SearchSettings;
}

/**
 * The core tools (always on, as in SMOLTRACE) plus the enabled optional ones, final_answer last.
 * Names of always-on tools are accepted as no-ops; unknown and unsupported names are InputErrors.
 */
export function resolveTools(options: ResolveToolsOptions): AnyTool[] {
  const factories = { ...OPTIONAL_TOOL_FACTORIES, ...options.optional };
  const search = options.search;
  const core = coreTools().map((tool) => (tool.name === 'web_search' && search ? createWebSearchTool(search) : tool));
  const always = core.filter((tool) => tool.name !== FINAL_ANSWER_TOOL);
  const alwaysNames = new Set(always.map((tool) => tool.name));
  const enabled: AnyTool[] = [];
  const seen = new Set<string>();
  const requested = options.enableTools
    .flatMap((entry) => entry.split(','))
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean)
    .flatMap((name) => (Object.hasOwn(TOOL_GROUPS, name) ? TOOL_GROUPS[name]! : [name]));
  for (const name of requested) {
    // SMOLTRACE's google_search is smolagents' GoogleSearchTool, itself named web_search.
    if (name === 'google_search' && search && search.provider !== 'duckduckgo') continue;
    const reason = Object.hasOwn(UNSUPPORTED, name) ? UNSUPPORTED[name] : undefined;
    if (reason) throw new InputError(`--enable-tools ${name}: ${reason}`);
    if (alwaysNames.has(name) || Object.hasOwn(ALWAYS_ON_ALIASES, name) || name === FINAL_ANSWER_TOOL) continue;
    const factory = Object.hasOwn(factories, name) ? factories[name] : undefined;
    if (!factory) {
      const available = [...Object.keys(TOOL_GROUPS), ...Object.keys(factories), ...Object.keys(ALWAYS_ON_ALIASES)].sort().join(', ');
      throw new InputError(`--enable-tools ${name}: unknown tool (available: ${available})`);
    }
    if (seen.has(name)) continue;
    seen.add(name);
    enabled.push(factory());
  }
  const finalAnswer = core.filter((tool) => tool.name === FINAL_ANSWER_TOOL);
  return [...always, ...enabled, ...finalAnswer];
}

const TOOL_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

/**
 * The run's tools with a program's own tools (`runEvaluation`'s `tools`, made with `defineTool`)
 * before final_answer. A name that is not a valid function name, or that a tool already has, is an
 * InputError.
 */
export function withCustomTools(tools: readonly AnyTool[], custom: readonly AnyTool[]): AnyTool[] {
  if (!custom.length) return [...tools];
  const taken = new Set(tools.map((tool) => tool.name));
  for (const tool of custom) {
    if (!TOOL_NAME.test(tool.name)) throw new InputError(`custom tool '${tool.name}': a name is letters, digits, '_' or '-' (at most 64), not starting with a digit`);
    if (taken.has(tool.name)) throw new InputError(`custom tool '${tool.name}': a tool of the run already has this name`);
    taken.add(tool.name);
  }
  const last = tools.at(-1);
  return last?.name === FINAL_ANSWER_TOOL ? [...tools.slice(0, -1), ...custom, last] : [...tools, ...custom];
}
