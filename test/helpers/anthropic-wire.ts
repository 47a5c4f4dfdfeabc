// The request checks of the fake Messages API: what the real API answers with a 400
// invalid_request_error. Returns the error message, or undefined for a valid request.
import { isRecord } from './loopback-http.js';

/** Chat Completions names that the Messages API rejects ("Extra inputs are not permitted"). */
const FOREIGN_FIELDS = ['seed', 'stop', 'n', 'max_completion_tokens', 'frequency_penalty', 'presence_penalty', 'response_format'];

type Block = Record<string, unknown>;

function checkBlocks(index: number, role: string, content: unknown): string | Block[] {
  if (typeof content === 'string') {
    return content.length ? [{ type: 'text', text: content }] : `messages.${index}: text content blocks must be non-empty`;
  }
  if (!Array.isArray(content) || content.length === 0) return `messages.${index}: content must be a non-empty string or array`;
  const blocks = content as unknown[];
  let seenOther = false;
  for (const [position, block] of blocks.entries()) {
    const where = `messages.${index}.content.${position}`;
    if (!isRecord(block) || typeof block.type !== 'string') return `${where}: a content block needs a type`;
    if (block.type === 'text' && (typeof block.text !== 'string' || !block.text.length)) return `${where}: text content blocks must be non-empty`;
    if (block.type === 'tool_use') {
      if (role !== 'assistant') return `${where}: tool_use blocks are only allowed in assistant messages`;
      if (typeof block.id !== 'string' || typeof block.name !== 'string' || !isRecord(block.input)) return `${where}: tool_use needs id, name and an object input`;
    }
    if (block.type === 'tool_result') {
      if (role !== 'user') return `${where}: tool_result blocks are only allowed in user messages`;
      if (typeof block.tool_use_id !== 'string') return `${where}.tool_use_id: Field required`;
      if (seenOther) return `messages.${index}: tool_result blocks must come first in the content array, before any other block`;
    } else seenOther = true;
  }
  return blocks as Block[];
}

export function checkMessagesRequest(body: unknown): string | undefined {
  if (!isRecord(body)) return 'There was an issue with the JSON body of your request.';
  if (typeof body.model !== 'string' || !body.model) return 'model: Field required';
  if (typeof body.max_tokens !== 'number' || !Number.isInteger(body.max_tokens) || body.max_tokens < 1) return 'max_tokens: Field required';
  for (const field of FOREIGN_FIELDS) if (field in body) return `${field}: Extra inputs are not permitted`;
  if (body.stream === true) return 'stream: this fake answers non-streamed requests only';
  if (body.system !== undefined && typeof body.system !== 'string' && !Array.isArray(body.system)) return 'system: Input should be a valid string';
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) return 'tools: Input should be a valid list';
    for (const [index, tool] of (body.tools as unknown[]).entries()) {
      if (!isRecord(tool) || typeof tool.name !== 'string' || !isRecord(tool.input_schema)) return `tools.${index}: name and input_schema are required`;
      if (tool.input_schema.type !== 'object') return `tools.${index}.input_schema.type: Input should be 'object'`;
    }
  }
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) return 'messages: at least one message is required';
  let pendingToolUses: string[] = [];
  for (const [index, message] of (messages as unknown[]).entries()) {
    if (!isRecord(message)) return `messages.${index}: Input should be an object`;
    const { role } = message;
    if (role !== 'user' && role !== 'assistant') return `messages.${index}.role: Input should be 'user' or 'assistant'`;
    if (index === 0 && role !== 'user') return 'messages: first message must use the "user" role';
    if (index > 0 && (messages[index - 1] as Block).role === role) return `messages: roles must alternate between "user" and "assistant" (messages.${index})`;
    const blocks = checkBlocks(index, role, message.content);
    if (typeof blocks === 'string') return blocks;
    const results = blocks.filter((block) => block.type === 'tool_result').map((block) => block.tool_use_id as string);
    for (const id of results) {
      if (!pendingToolUses.includes(id)) return `messages.${index}: unexpected tool_use_id found in tool_result blocks: ${id}`;
    }
    const missing = pendingToolUses.filter((id) => !results.includes(id));
    if (missing.length) {
      return `messages.${index}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}`;
    }
    pendingToolUses = blocks.filter((block) => block.type === 'tool_use').map((block) => block.id as string);
  }
  return checkThinking(body, messages as Block[]);
}

/**
 * With extended thinking on, the last assistant turn that used tools must start with its thinking
 * block, signed as the API sent it (the real API checks the signature cryptographically; this fake
 * checks it is one it issued: `sig_*`).
 */
function checkThinking(body: Block, messages: Block[]): string | undefined {
  if (!isRecord(body.thinking) || body.thinking.type !== 'enabled') return undefined;
  const index = messages.findLastIndex((message) => message.role === 'assistant');
  const content = messages[index]?.content;
  if (!Array.isArray(content) || !content.some((block: Block) => block.type === 'tool_use')) return undefined;
  const first = content[0] as Block;
  if (first.type === 'redacted_thinking') return undefined;
  if (first.type !== 'thinking') {
    return `messages.${index}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${String(first.type)}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block.`;
  }
  if (typeof first.signature !== 'string' || !first.signature.startsWith('sig_')) return `messages.${index}.content.0: Invalid \`signature\` in \`thinking\` block`;
  return undefined;
}
