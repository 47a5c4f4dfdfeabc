/**
 * The GAIA leaderboard's submission file: one JSON line per task, `{"task_id", "model_answer",
 * "reasoning_trace"}`. A task run several times (both agents, --repeats) is submitted once: its
 * first result by test_index. Scrubbed of the run's secrets and written atomically.
 */
import type { RunResult, TaskResult } from '../eval/types.js';
import { writeTextAtomic } from '../eval/run-directory.js';

/** The agent's reasoning: its assistant turns and tool calls, in order. */
export function reasoningTrace(result: TaskResult): string {
  const parts: string[] = [];
  for (const message of result.messages ?? []) {
    if (message.role !== 'assistant') continue;
    const text = typeof message.content === 'string' ? message.content.trim() : '';
    if (text) parts.push(text);
    for (const call of message.tool_calls ?? []) parts.push(`${call.function.name}(${call.function.arguments})`);
  }
  return parts.join('\n');
}

export async function writeGaiaSubmission(run: RunResult, path: string): Promise<number> {
  const seen = new Set<string>();
  const lines: string[] = [];
  for await (const result of run.readResults()) {
    if (seen.has(result.test_id)) continue;
    seen.add(result.test_id);
    const line = { task_id: result.test_id, model_answer: result.response ?? '', reasoning_trace: reasoningTrace(result) };
    const text = JSON.stringify(line);
    lines.push(run.redactor ? run.redactor.text(text) : text);
  }
  await writeTextAtomic(path, lines.length ? `${lines.join('\n')}\n` : '');
  return lines.length;
}
