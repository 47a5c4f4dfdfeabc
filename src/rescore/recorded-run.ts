/**
 * A result row as the scorers see a finished task: the task row (validated with the task schema) and
 * an AgentRun rebuilt from what the row recorded (messages, tool calls with their outputs, the final
 * answer, how the run stopped). Nothing is run again.
 */
import { taskRowSchema, type Task } from '../tasks/schema.js';
import type { AgentRun, StopReason } from '../agents/types.js';
import type { Message } from '../models/types.js';
import type { ReportTask } from '../report/run-reader.js';
import { describeIssue } from '../report/run-schemas.js';
import { parseToolArguments } from '../models/tool-input.js';

type Loose = Record<string, unknown>;

/** OpenAI-format messages (as rows keep them) → the agents' messages. */
export function agentMessages(messages: readonly unknown[]): Message[] {
  const names = new Map<string, string>();
  return messages.flatMap((raw): Message[] => {
    if (typeof raw !== 'object' || raw === null) return [];
    const message = raw as Loose;
    const content = typeof message.content === 'string' ? message.content : message.content == null ? '' : JSON.stringify(message.content);
    switch (message.role) {
      case 'system':
      case 'user':
        return [{ role: message.role, content }];
      case 'assistant': {
        const calls = Array.isArray(message.tool_calls)
          ? (message.tool_calls as Loose[]).map((call) => {
              const fn = (call.function ?? {}) as Loose;
              const id = String(call.id ?? '');
              names.set(id, String(fn.name ?? ''));
              return { id, name: String(fn.name ?? ''), arguments: parseToolArguments(fn.arguments) };
            })
          : [];
        const reasoning = typeof message.reasoning_content === 'string' ? message.reasoning_content : undefined;
        return [{ role: 'assistant', content, ...(calls.length && { toolCalls: calls }), ...(reasoning && { reasoning }) }];
      }
      case 'tool': {
        const id = String(message.tool_call_id ?? '');
        return [{ role: 'tool', toolCallId: id, name: String(message.name ?? names.get(id) ?? ''), content }];
      }
      default:
        return [];
    }
  });
}

const STOP_REASONS: readonly StopReason[] = ['final-answer', 'max-steps', 'timeout', 'error', 'aborted'];

export function recordedRun(task: ReportTask, agentType: 'tool' | 'code'): AgentRun {
  const row = task.row as ReportTask['row'] & Loose;
  const response = typeof row.response === 'string' ? row.response : row.response == null ? undefined : JSON.stringify(row.response);
  // An imported reply cut off by the model (finish reason length / content_filter) ended the task without an answer.
  const cutOff = row.stop_reason === 'length' || row.stop_reason === 'content_filter' ? `the model's last reply was cut off (finish reason ${row.stop_reason})` : null;
  const stop = STOP_REASONS.find((reason) => reason === row.stop_reason) ?? (cutOff ? 'error' : row.final_answer_called || response !== undefined ? 'final-answer' : row.error ? 'error' : 'max-steps');
  const errorMessage = row.error ?? cutOff;
  // SMOLTRACE's rows name the tools used but keep no calls: those names stand in for the calls.
  const calls = row.tool_calls ?? (row.tools_used ?? []).map((name) => ({ name, step: null, arguments: {}, output: '', is_error: false, duration_ms: 0 }));
  const steps: AgentRun['steps'] = calls.map((call, index) => ({
    type: 'tool-call' as const,
    index: call.step ?? index + 1,
    call: { id: `call_${index + 1}`, name: call.name, arguments: call.arguments ?? {} },
    output: call.output ?? '',
    isError: call.is_error ?? false,
    startedAtMs: 0,
    durationMs: call.duration_ms ?? 0,
    source: 'native' as const,
  }));
  const errorKind = row.error_kind;
  return {
    agentType,
    steps,
    messages: agentMessages(row.messages ?? []),
    ...(response !== undefined && { finalAnswer: response }),
    usage: { inputTokens: row.input_tokens ?? 0, outputTokens: row.output_tokens ?? 0 },
    modelCalls: row.model_calls ?? 0,
    actionSteps: row.steps ?? 0,
    stopReason: stop,
    ...(errorMessage && { error: { kind: (errorKind === 'tool' || errorKind === 'timeout' || errorKind === 'infrastructure' ? errorKind : 'model') as 'model', message: errorMessage } }),
  };
}

/** The task row checked with the task schema; a row that is not a task says why. */
export function taskOf(row: Record<string, unknown>): { task: Task } | { problem: string } {
  const parsed = taskRowSchema.safeParse(row);
  return parsed.success ? { task: parsed.data } : { problem: describeIssue(parsed.error).replace(/^the file: /, '') };
}
