// MCP tool results as observation text: text content joined, structured content as JSON when no
// text came back, images/audio/resources described by type and size, `isError` as a ToolError.
import { capOutput } from './limits.js';
import { ToolError } from './types.js';

type Item = Record<string, unknown>;

/** Decoded size of base64 data without decoding it. */
export function base64Bytes(data: string): number {
  const clean = data.replace(/\s+/g, '');
  const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((clean.length * 3) / 4) - padding);
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** One content block as text; undefined for a block with nothing to show. */
export function describeContent(item: Item): string | undefined {
  switch (item.type) {
    case 'text':
      return str(item.text);
    case 'image':
    case 'audio':
      return `[${item.type}: ${str(item.mimeType) ?? 'unknown type'}, ${base64Bytes(str(item.data) ?? '')} bytes]`;
    case 'resource_link': {
      const name = str(item.name) ?? str(item.title);
      return `[resource link: ${name ? `${name} ` : ''}${str(item.uri) ?? ''}${item.mimeType ? ` (${str(item.mimeType)})` : ''}]`;
    }
    case 'resource': {
      const resource = (item.resource ?? {}) as Item;
      const uri = str(resource.uri) ?? '';
      const mime = str(resource.mimeType);
      const text = str(resource.text);
      if (text !== undefined) return `[resource: ${uri}${mime ? ` (${mime})` : ''}]\n${text}`;
      return `[resource: ${uri}, ${mime ?? 'unknown type'}, ${base64Bytes(str(resource.blob) ?? '')} bytes]`;
    }
    default:
      return `[${String(item.type ?? 'unknown')} content]`;
  }
}

/** The observation for a `tools/call` result; throws ToolError when the server flagged an error. */
export function formatCallResult(result: unknown, toolName: string): string {
  const value = (result ?? {}) as Item;
  if ('toolResult' in value && !('content' in value)) return capOutput(JSON.stringify(value.toolResult) ?? '');
  const content = Array.isArray(value.content) ? (value.content as Item[]) : [];
  const parts = content.map(describeContent).filter((part): part is string => part !== undefined && part !== '');
  const hasText = content.some((item) => item.type === 'text' && str(item.text));
  if (!hasText && value.structuredContent !== undefined) parts.unshift(JSON.stringify(value.structuredContent));
  const text = parts.join('\n');
  if (value.isError === true) throw new ToolError(text ? capOutput(text) : `MCP tool '${toolName}' reported an error without a message`);
  return text ? capOutput(text) : '(the tool returned no content)';
}
