/**
 * Training formats of trajectories. `sft`: TRL's conversational format (`messages` with OpenAI tool
 * calls and tool results, `tools` as JSON schemas). `dpo`: TRL's conversational preference pairs
 * (`prompt`, `chosen`, `rejected`) from tasks with a passing and a failing rollout. `rewards`: one
 * Atropos-style scored group per task (its K rollouts and their scores).
 * With the Parquet column types that make `datasets` read them as lists of structs.
 */
import type { ParquetColumnType } from '../hub/parquet-schema.js';
import type { ExportTrajectory, TrainingMessage } from './trajectories.js';

export const EXPORT_FORMATS = ['sft', 'dpo', 'rewards'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const MESSAGE: ParquetColumnType = {
  struct: {
    role: 'string',
    content: 'string',
    reasoning_content: 'string',
    tool_call_id: 'string',
    name: 'string',
    tool_calls: { list: { struct: { id: 'string', type: 'string', function: { struct: { name: 'string', arguments: 'string' } } } } },
  },
};
const TOOLS: ParquetColumnType = { list: { struct: { type: 'string', function: { struct: { name: 'string', description: 'string', parameters: 'json' } } } } };
const CONVERSATION: ParquetColumnType = { list: MESSAGE };

export const PARQUET_TYPES: Record<ExportFormat, Record<string, ParquetColumnType>> = {
  sft: { messages: CONVERSATION, tools: TOOLS, task_id: 'string', model: 'string', success: 'boolean', score: 'double', run: 'string' },
  dpo: { prompt: CONVERSATION, chosen: CONVERSATION, rejected: CONVERSATION, tools: TOOLS, task_id: 'string', chosen_model: 'string', rejected_model: 'string', chosen_score: 'double', rejected_score: 'double' },
  rewards: { task_id: 'string', prompt: 'string', tools: TOOLS, messages: { list: CONVERSATION }, scores: { list: 'double' }, success: { list: 'boolean' }, models: { list: 'string' }, runs: { list: 'string' }, scorer_values: { list: 'json' } },
};

/** Content as text (null stays null): Parquet's content column is one string type. */
function plainMessage(message: TrainingMessage): TrainingMessage {
  const content = message.content;
  return typeof content === 'string' || content === null || content === undefined ? message : { ...message, content: JSON.stringify(content) };
}

export function sftRows(trajectories: readonly ExportTrajectory[]): Record<string, unknown>[] {
  return trajectories.map((trajectory) => ({
    messages: trajectory.messages.map(plainMessage),
    tools: trajectory.tools,
    task_id: trajectory.taskId,
    model: trajectory.model,
    success: trajectory.success,
    score: trajectory.score,
    run: trajectory.run,
  }));
}

/** The messages before the first assistant turn (system and user): what every rollout of a task shares. */
function splitPrompt(messages: readonly TrainingMessage[]): { prompt: TrainingMessage[]; completion: TrainingMessage[] } {
  const first = messages.findIndex((message) => message.role === 'assistant');
  const cut = first < 0 ? messages.length : first;
  return { prompt: messages.slice(0, cut).map(plainMessage), completion: messages.slice(cut).map(plainMessage) };
}

function groups(trajectories: readonly ExportTrajectory[]): Map<string, ExportTrajectory[]> {
  const byTask = new Map<string, ExportTrajectory[]>();
  for (const trajectory of trajectories) {
    const list = byTask.get(trajectory.groupKey) ?? [];
    list.push(trajectory);
    byTask.set(trajectory.groupKey, list);
  }
  return byTask;
}

/**
 * One pair per failing rollout of a task that also has a passing one (the passing ones taken in
 * turn). `accept` says which passing rollouts may be chosen (the filters).
 */
export function dpoRows(trajectories: readonly ExportTrajectory[], accept: (trajectory: ExportTrajectory) => boolean): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const group of groups(trajectories).values()) {
    const chosen = group.filter((trajectory) => trajectory.success === true && accept(trajectory));
    const rejected = group.filter((trajectory) => trajectory.success === false);
    if (!chosen.length) continue;
    rejected.forEach((bad, index) => {
      const good = chosen[index % chosen.length]!;
      const goodParts = splitPrompt(good.messages);
      rows.push({
        prompt: goodParts.prompt,
        chosen: goodParts.completion,
        rejected: splitPrompt(bad.messages).completion,
        tools: good.tools.length ? good.tools : bad.tools,
        task_id: good.taskId,
        chosen_model: good.model,
        rejected_model: bad.model,
        chosen_score: good.score,
        rejected_score: bad.score,
      });
    });
  }
  return rows;
}

export function rewardRows(trajectories: readonly ExportTrajectory[]): Record<string, unknown>[] {
  return [...groups(trajectories).values()].map((group) => {
    const first = group[0]!;
    const prompt = first.messages.find((message) => message.role === 'user')?.content;
    return {
      task_id: first.taskId,
      prompt: typeof prompt === 'string' ? prompt : null,
      tools: first.tools,
      messages: group.map((trajectory) => trajectory.messages.map(plainMessage)),
      scores: group.map((trajectory) => trajectory.score),
      success: group.map((trajectory) => trajectory.success),
      models: group.map((trajectory) => trajectory.model),
      runs: group.map((trajectory) => trajectory.run),
      scorer_values: group.map((trajectory) => trajectory.scores),
    };
  });
}
