import { z } from 'zod';
import type { ToolSpec } from '../models/types.js';
import type { AnyTool } from './types.js';

interface JsonSchemaObject {
  type?: string;
  properties?: Record<string, { type?: string | string[]; description?: string; anyOf?: unknown[] }>;
  required?: string[];
  [key: string]: unknown;
}

const specCache = new WeakMap<AnyTool, ToolSpec>();

/** The tool as the model sees it: name, description and the JSON Schema of its input (raw `jsonSchema` when given). */
export function toolSpec(tool: AnyTool): ToolSpec {
  const cached = specCache.get(tool);
  if (cached) return cached;
  const schema = (
    tool.jsonSchema
      ? structuredClone(tool.jsonSchema)
      : z.toJSONSchema(tool.input, { io: 'input', unrepresentable: 'any' })
  ) as JsonSchemaObject;
  delete schema.$schema;
  if (schema.type === 'object' && schema.additionalProperties === false) delete schema.additionalProperties;
  const spec = { name: tool.name, description: tool.description, parameters: schema };
  specCache.set(tool, spec);
  return spec;
}

export interface ToolInputView {
  type: string;
  description: string;
  nullable?: boolean;
}

/** smolagents-style `inputs` mapping (name -> {type, description, nullable}) for prompt templates. */
export function toolInputs(tool: AnyTool): Record<string, ToolInputView> {
  const schema = toolSpec(tool).parameters as JsonSchemaObject;
  const required = new Set(schema.required ?? []);
  const inputs: Record<string, ToolInputView> = {};
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const type = Array.isArray(property.type) ? property.type.join(' | ') : (property.type ?? 'any');
    inputs[name] = { type, description: property.description ?? '', ...(required.has(name) ? {} : { nullable: true }) };
  }
  return inputs;
}

/** A tool as the Python sandbox needs it: its name, description and parameter names in order. */
export function sandboxToolSpec(tool: AnyTool): { name: string; description: string; parameters: string[] } {
  const schema = toolSpec(tool).parameters as JsonSchemaObject;
  return { name: tool.name, description: tool.description, parameters: Object.keys(schema.properties ?? {}) };
}
