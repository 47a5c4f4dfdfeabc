import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { toolInputs, type ToolInputView } from '../tools/spec.js';
import type { AnyTool } from '../tools/types.js';
import { compileTemplate, type CompiledTemplate } from './jinja.js';

const templateGroup = z.record(z.string(), z.string());

/** smolagents prompt_templates: every key optional so partial files fall back to the built-in ones. */
const promptTemplatesSchema = z
  .object({
    system_prompt: z.string().optional(),
    planning: templateGroup.optional(),
    managed_agent: templateGroup.optional(),
    final_answer: templateGroup.optional(),
  })
  .passthrough();

/** A prompt file: smolagents templates at the top level, or SMOLTRACE's config with `prompt_templates:`. */
const promptFileSchema = promptTemplatesSchema.extend({
  prompt_templates: promptTemplatesSchema.optional(),
  max_steps: z.number().int().positive().optional(),
  name: z.string().optional(),
  description: z.string().optional(),
  instructions: z.string().optional(),
  custom_instructions: z.string().optional(),
  additional_authorized_imports: z.array(z.string()).optional(),
});

export interface PromptConfig {
  systemPrompt: string;
  templates: z.output<typeof promptTemplatesSchema>;
  maxSteps?: number;
  name?: string;
  description?: string;
  customInstructions?: string;
  /** Code agent: imports allowed beyond the base list (SMOLTRACE's config key). */
  additionalImports: string[];
  source: string;
}

export const BUILTIN_PROMPTS_DIRECTORY = fileURLToPath(new URL('../../prompts/', import.meta.url));
/** The built-in files parsed at build time (scripts/build-prompts.mjs), beside the compiled code. */
const PARSED_PROMPTS_DIRECTORY = new URL('../prompts/', import.meta.url);

/** The build's parse of a built-in file, when it was made from exactly this text. */
async function parsedAtBuild(path: string, text: string): Promise<unknown> {
  const name = path.slice(path.lastIndexOf('/') + 1);
  try {
    const parsed = JSON.parse(await readFile(new URL(`${name}.json`, PARSED_PROMPTS_DIRECTORY), 'utf8')) as { yaml?: unknown; data?: unknown };
    return parsed.yaml === text ? parsed.data : undefined;
  } catch {
    return undefined; // not built (tests run the sources) or unreadable: parse the YAML
  }
}

async function readPromptFile(path: string, label = `--prompt-yml ${path}`, builtin = false): Promise<z.output<typeof promptFileSchema>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new InputError(`${label}: cannot read the file (${code})`);
  }
  let data = builtin ? await parsedAtBuild(path, text) : undefined;
  if (data === undefined) {
    const { parse, YAMLParseError } = await import('yaml');
    try {
      data = parse(text);
    } catch (error) {
      const line = error instanceof YAMLParseError ? `line ${error.linePos?.[0]?.line}: ` : '';
      throw new InputError(`${label}: ${line}invalid YAML (${(error as Error).message.split('\n')[0]})`);
    }
  }
  const parsed = promptFileSchema.safeParse(data ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(`${label}: ${issue.path.join('.') || 'file'}: ${issue.message}`);
  }
  return parsed.data;
}

function compile(source: string, key: string, text: string): CompiledTemplate {
  try {
    return compileTemplate(text);
  } catch (error) {
    throw new InputError(`--prompt-yml ${source}: template '${key}' is not valid Jinja (${(error as Error).message})`);
  }
}

/**
 * Loads the built-in prompt file for an agent, overlaid with a user file when given. Templates are
 * compiled here so a broken template fails before any task runs.
 */
export async function loadPromptConfig(agentFile: string, userFile?: string): Promise<PromptConfig> {
  const builtinPath = `${BUILTIN_PROMPTS_DIRECTORY}${agentFile}`;
  const builtin = await readPromptFile(builtinPath, `built-in prompt file ${builtinPath} (is the installation complete?)`, true);
  const user = userFile ? await readPromptFile(userFile) : undefined;
  const userTemplates = { ...user, ...user?.prompt_templates };
  const templates = {
    ...builtin,
    ...Object.fromEntries(Object.entries(userTemplates).filter(([key]) => key in promptTemplatesSchema.shape)),
  };
  const source = userFile ?? agentFile;
  const systemPrompt = templates.system_prompt;
  if (!systemPrompt) throw new InputError(`--prompt-yml ${source}: no system_prompt template`);
  compile(source, 'system_prompt', systemPrompt);
  return {
    systemPrompt,
    templates,
    maxSteps: user?.max_steps,
    name: user?.name,
    description: user?.description,
    customInstructions: user?.custom_instructions ?? user?.instructions,
    additionalImports: user?.additional_authorized_imports ?? [],
    source,
  };
}

const PYTHON_TYPES: Record<string, string> = { string: 'str', number: 'float', integer: 'int', boolean: 'bool', object: 'dict', array: 'list', any: 'Any' };

function pythonType(type: string): string {
  return type.split(' | ').map((part) => PYTHON_TYPES[part] ?? 'Any').join(' | ');
}

/** A tool as a Python function signature with a docstring, as smolagents' `to_code_prompt()` shows it. */
function pythonSignature(name: string, description: string, inputs: Record<string, ToolInputView>, outputType: string): string {
  const entries = Object.entries(inputs);
  const args = entries.map(([arg, input]) => `${arg}: ${pythonType(input.type)}${input.nullable ? ' = None' : ''}`).join(', ');
  const docs = entries.length
    ? `\n\n    Args:\n${entries.map(([arg, input]) => `        ${arg}: ${input.description}`).join('\n')}`
    : '';
  return `def ${name}(${args}) -> ${pythonType(outputType)}:\n    """${description}${docs}\n    """`;
}

/** The view of a tool that smolagents templates expect (`tool.name`, `tool.inputs`, `tool.to_*_prompt()`). */
function toolView(tool: AnyTool) {
  const inputs = toolInputs(tool);
  const inputsText = JSON.stringify(inputs);
  return {
    name: tool.name,
    description: tool.description,
    inputs,
    output_type: tool.outputType,
    to_tool_calling_prompt: () =>
      `${tool.name}: ${tool.description}\n    Takes inputs: ${inputsText}\n    Returns an output of type: ${tool.outputType}`,
    to_code_prompt: () => pythonSignature(tool.name, tool.description, inputs, tool.outputType),
  };
}

/** Renders the system prompt with the variables smolagents provides. */
export function renderSystemPrompt(config: PromptConfig, tools: readonly AnyTool[], authorizedImports: readonly string[] = []): string {
  const template = compile(config.source, 'system_prompt', config.systemPrompt);
  return template.render({
    tools: Object.fromEntries(tools.map((tool) => [tool.name, toolView(tool)])),
    managed_agents: {},
    custom_instructions: config.customInstructions ?? '',
    name: config.name ?? '',
    description: config.description ?? '',
    authorized_imports: `[${authorizedImports.map((name) => `'${name}'`).join(', ')}]`,
    code_block_opening_tag: '<code>',
    code_block_closing_tag: '</code>',
  });
}
