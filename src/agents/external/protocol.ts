/**
 * The JSON-lines protocol between agent-eval and an external agent process (docs/agent-protocol.md).
 * Every line the agent writes is checked here, size first, then JSON, then zod: anything else is a
 * protocol error that ends the task with a recorded error.
 */
import { z } from 'zod';
import { parseToolArguments } from '../../models/tool-input.js';

export const PROTOCOL_VERSION = 'agent-eval/1';

/** Longest line an agent may write (bytes, newline excluded); past it the task ends with an error. */
export const MAX_LINE_BYTES = 1024 * 1024;

const count = z.number().int().min(0);

export const usageSchema = z.object({
  input_tokens: count,
  output_tokens: count,
  cached_input_tokens: count.optional(),
  reasoning_tokens: count.optional(),
});

const toolCallSchema = z.object({
  id: z.string().min(1).max(200),
  name: z.string().min(1).max(200),
  arguments: z.unknown().optional(),
});

/**
 * A tool call the agent's model made, as reported: the protocol's form (`id`, `name`, `arguments`) or
 * OpenAI's (`id`, `type: "function"`, `function: {name, arguments}` with the arguments as JSON text), so
 * an agent can forward its OpenAI messages as they are.
 */
const reportedToolCallSchema = z.union([
  toolCallSchema,
  z
    .object({
      id: z.string().min(1).max(200),
      type: z.literal('function').optional(),
      function: z.object({ name: z.string().min(1).max(200), arguments: z.string().optional() }),
    })
    .transform((call) => ({ id: call.id, name: call.function.name, arguments: parseToolArguments(call.function.arguments || undefined) })),
]);

const content = z.string().nullish();

/** A message the agent sent its model (OpenAI roles), reported with a model call; a tool message names the call it answers. */
const reportedMessageSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content }),
  z.object({ role: z.literal('user'), content }),
  z.object({ role: z.literal('assistant'), content, tool_calls: z.array(reportedToolCallSchema).max(256).optional(), reasoning_content: z.string().nullish() }),
  z.object({ role: z.literal('tool'), content, tool_call_id: z.string().min(1).max(200) }),
]);

/** Agent -> agent-eval: the messages an agent may write on stdout, one JSON object per line. */
export const agentMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('model_call'),
    model: z.string().max(300).optional(),
    usage: usageSchema.optional(),
    duration_ms: z.number().min(0).optional(),
    started_at_ms: z.number().min(0).optional(),
    output: z.string().nullish(),
    /** The model's reasoning in this reply: kept on the row's assistant message as `reasoning_content`, never sent to a model. */
    reasoning: z.string().nullish(),
    tool_calls: z.array(reportedToolCallSchema).max(256).optional(),
    messages: z.array(reportedMessageSchema).max(10_000).optional(),
    finish_reason: z.enum(['stop', 'tool-calls', 'length', 'content-filter', 'error', 'other']).optional(),
  }),
  toolCallSchema.extend({ type: z.literal('tool_call') }),
  z.object({ type: z.literal('final_answer'), answer: z.unknown() }),
  z.object({ type: z.literal('error'), message: z.string().max(10_000) }),
]);

export type AgentMessage = z.output<typeof agentMessageSchema>;
export type ReportedUsage = z.output<typeof usageSchema>;
export type ReportedMessage = z.output<typeof reportedMessageSchema>;

/** agent-eval -> agent: the messages written to the agent's stdin. */
export type HarnessMessage =
  | {
      type: 'task';
      protocol: typeof PROTOCOL_VERSION;
      task_id: string;
      prompt: string;
      tools: { name: string; description: string; parameters: Record<string, unknown> }[];
      max_steps: number;
      timeout_s: number;
      model: string | null;
      traceparent: string | null;
      metadata: { difficulty: string; category: string | null };
    }
  | { type: 'tool_result'; id: string; output: string; is_error: boolean }
  | { type: 'user_message'; content: string; turn: number }
  | { type: 'end' };

export class ProtocolError extends Error {}

/** Parses one stdout line of the agent; throws ProtocolError naming what is wrong. */
export function parseAgentLine(line: string): AgentMessage {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw new ProtocolError(`the agent wrote a line that is not JSON: ${JSON.stringify(line.slice(0, 120))}`);
  }
  const parsed = agentMessageSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? `${issue.path.map(String).join('.')}: ` : '';
    throw new ProtocolError(`the agent wrote an invalid message (${where}${issue.message}): ${JSON.stringify(line.slice(0, 120))}`);
  }
  return parsed.data;
}

/** The text of a final answer: strings as written, anything else as JSON. */
export function answerText(answer: unknown): string {
  return typeof answer === 'string' ? answer : JSON.stringify(answer ?? null);
}
