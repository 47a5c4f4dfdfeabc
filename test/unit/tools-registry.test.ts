import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InputError } from '../../src/errors.js';
import { FINAL_ANSWER_TOOL } from '../../src/tools/builtin.js';
import { NETWORK_TOOLS, OPTIONAL_TOOLS, TOOL_GROUPS, coreTools, fileTools, processTools, resolveTools } from '../../src/tools/registry.js';
import { toolInputs, toolSpec } from '../../src/tools/spec.js';
import { defineTool } from '../../src/tools/types.js';

const names = (tools: { name: string }[]): string[] => tools.map((tool) => tool.name);

describe('registry', () => {
  it('lists the groups', () => {
    expect(names(coreTools())).toEqual(['get_weather', 'calculator', 'get_current_time', 'web_search', 'final_answer']);
    expect(names(fileTools())).toEqual(['read_file', 'write_file', 'list_directory', 'search_files', 'grep', 'sed', 'sort', 'head_tail']);
    expect(names(processTools())).toEqual(['ps', 'kill', 'env', 'which', 'curl', 'ping']);
    expect(OPTIONAL_TOOLS).toEqual([...names(fileTools()), ...names(processTools()), 'visit_webpage', 'wikipedia_search', 'bash']);
    expect(TOOL_GROUPS).toEqual({ files: names(fileTools()), system: names(processTools()) });
    expect(NETWORK_TOOLS).toEqual(['curl', 'ping', 'web_search', 'visit_webpage', 'wikipedia_search']);
  });

  it('resolves the core tools, then the enabled ones (by name or group), final_answer last', () => {
    expect(names(resolveTools({ enableTools: [] }))).toEqual(names(coreTools()));
    const more = names(resolveTools({ enableTools: ['wikipedia_search,visit_webpage', 'duckduckgo_search', 'read_file', 'Visit_Webpage'] }));
    expect(more.slice(-4)).toEqual(['wikipedia_search', 'visit_webpage', 'read_file', FINAL_ANSWER_TOOL]);
    expect(new Set(more).size).toBe(more.length);
    const groups = names(resolveTools({ enableTools: ['files', 'system', 'grep'] }));
    expect(groups).toHaveLength(4 + 8 + 6 + 1);
    expect(groups.at(-1)).toBe(FINAL_ANSWER_TOOL);
  });

  it('rejects unknown and unsupported names', () => {
    expect(() => resolveTools({ enableTools: ['foo'] })).toThrow(
      /^--enable-tools foo: unknown tool \(available: bash, curl, duckduckgo_search, env, files, grep, .*wikipedia_search, write_file\)$/,
    );
    expect(() => resolveTools({ enableTools: ['constructor'] })).toThrow(/unknown tool/);
    expect(() => resolveTools({ enableTools: ['google_search'] })).toThrow(/--enable-tools google_search: needs --search-provider serper or brave .*SERPER_API_KEY/);
    expect(() => resolveTools({ enableTools: ['user_input'] })).toThrow(InputError);
  });

  it('accepts extra optional tools', () => {
    const python = defineTool({ name: 'python_interpreter', description: 'Runs Python', input: z.object({ code: z.string().describe('code') }), outputType: 'string', execute: async () => '' });
    expect(names(resolveTools({ enableTools: ['python_interpreter'], optional: { python_interpreter: () => python } })).at(-2)).toBe('python_interpreter');
  });

  it('gives every tool a described JSON Schema', () => {
    for (const tool of resolveTools({ enableTools: OPTIONAL_TOOLS as string[] })) {
      const spec = toolSpec(tool);
      expect(spec.parameters).toMatchObject({ type: 'object' });
      expect(tool.description.length).toBeGreaterThan(20);
      for (const [name, input] of Object.entries(toolInputs(tool))) expect(input.description, `${tool.name}.${name}`).toBeTruthy();
    }
  });

  it('makes a fresh env tool per resolution', () => {
    const a = resolveTools({ enableTools: ['env'] }).find((tool) => tool.name === 'env');
    const b = resolveTools({ enableTools: ['system'] }).find((tool) => tool.name === 'env');
    expect(a).toBeDefined();
    expect(a).not.toBe(b);
  });
});
