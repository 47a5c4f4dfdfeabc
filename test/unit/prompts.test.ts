import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadPromptConfig, renderSystemPrompt } from '../../src/agents/prompts.js';
import { defineTool } from '../../src/tools/types.js';

const weather = defineTool({
  name: 'get_weather',
  description: 'Gets the weather for a location.',
  input: z.object({ location: z.string().describe('City and country') }),
  outputType: 'string',
  execute: async () => '20°C',
});

async function promptFile(text: string): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'agent-eval-prompts-'));
  const path = join(directory, 'prompt.yaml');
  await writeFile(path, text);
  return path;
}

describe('prompt templates', () => {
  it('renders the built-in system prompt with the tools', async () => {
    const config = await loadPromptConfig('toolcalling_agent.yaml');
    const text = renderSystemPrompt(config, [weather]);
    expect(text).toContain('- get_weather: Gets the weather for a location.');
    expect(text).toContain('Takes inputs: {"location":{"type":"string","description":"City and country"}}');
    expect(text).not.toContain('{{');
    expect(text).not.toContain('{%');
  });

  it('accepts a smolagents file unchanged, using tools.values() and custom_instructions', async () => {
    const path = await promptFile(
      'system_prompt: |-\n  Tools:\n  {%- for tool in tools.values() %}\n  * {{ tool.name }} ({{ tool.inputs.location.type }}) -> {{ tool.output_type }}\n  {%- endfor %}\n  {{ custom_instructions }}\nplanning:\n  initial_plan: plan\n',
    );
    const config = await loadPromptConfig('toolcalling_agent.yaml', path);
    expect(renderSystemPrompt(config, [weather])).toBe('Tools:\n* get_weather (string) -> string\n');
    expect(config.templates.planning).toEqual({ initial_plan: 'plan' });
    expect(config.templates.final_answer).toBeDefined(); // kept from the built-in file
  });

  it("accepts SMOLTRACE's config form with prompt_templates and max_steps", async () => {
    const path = await promptFile('max_steps: 3\ncustom_instructions: Be brief.\nprompt_templates:\n  system_prompt: "S {{ custom_instructions }}"\n');
    const config = await loadPromptConfig('toolcalling_agent.yaml', path);
    expect(config.maxSteps).toBe(3);
    expect(renderSystemPrompt(config, [weather])).toBe('S Be brief.');
  });

  it('rejects unreadable files, bad YAML, bad fields and bad Jinja with the file named', async () => {
    await expect(loadPromptConfig('toolcalling_agent.yaml', '/nonexistent/p.yaml')).rejects.toThrow('--prompt-yml /nonexistent/p.yaml: cannot read the file (ENOENT)');
    const yaml = await promptFile('system_prompt: [unclosed\n');
    await expect(loadPromptConfig('toolcalling_agent.yaml', yaml)).rejects.toThrow(/--prompt-yml .*invalid YAML/);
    const field = await promptFile('max_steps: many\n');
    await expect(loadPromptConfig('toolcalling_agent.yaml', field)).rejects.toThrow(/max_steps: /);
    const jinja = await promptFile('system_prompt: "{% for x in %}"\n');
    await expect(loadPromptConfig('toolcalling_agent.yaml', jinja)).rejects.toThrow(/template 'system_prompt' is not valid Jinja/);
  });
});

describe('built-in prompts parsed at build time', () => {
  it('dist holds the parse of each shipped YAML file, with the text it came from, and the built code loads the same config', async () => {
    const { readFile, readdir } = await import('node:fs/promises');
    const { parse } = await import('yaml');
    const root = join(import.meta.dirname, '../..');
    const names = (await readdir(join(root, 'prompts'))).filter((name) => name.endsWith('.yaml'));
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      const yaml = await readFile(join(root, 'prompts', name), 'utf8');
      const built = JSON.parse(await readFile(join(root, 'dist/prompts', `${name}.json`), 'utf8')) as { yaml: string; data: unknown };
      expect(built.yaml).toBe(yaml);
      expect(built.data).toEqual(parse(yaml));
      const fromDist = (await import(join(root, 'dist/agents/prompts.js'))) as typeof import('../../src/agents/prompts.js');
      const config = await fromDist.loadPromptConfig(name);
      expect(config).toEqual(await loadPromptConfig(name));
    }
  });
});
