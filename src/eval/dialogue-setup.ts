/**
 * The simulated user's model (`--user-model`, `--user-base-url`, `--user-args`): any supported provider,
 * resolved (key checked) while the run is prepared, its client made with the first dialogue.
 */
import type { AgentType } from '../agents/types.js';
import { InputError } from '../errors.js';
import { createProvider } from '../models/factory.js';
import { toGenerationParameters } from '../models/generation.js';
import { resolveModel, type ResolvedModel } from '../models/routing.js';
import type { ModelProvider } from '../models/types.js';
import { UserSimulator } from '../simulated-user/simulator.js';
import type { Task } from '../tasks/schema.js';
import type { DialogueSetup } from './conversation-task.js';
import type { RunOptions } from './types.js';

export interface DialogueModelSetup extends DialogueSetup {
  resolved: ResolvedModel;
  /** Puts the run's record/replay layer (--cache) around the simulator's provider; before the first dialogue. */
  useLayer(wrap: (provider: ModelProvider) => ModelProvider): void;
  close(): Promise<void>;
}

/**
 * The dialogue tasks of a run's work. Only the tool agent holds dialogues: with --agent-type both a
 * dialogue runs with the tool agent only (a notice says so); a dialogue left to the code agent alone is
 * refused. Fails when a dialogue remains and no --user-model is given.
 */
export function checkDialogueTasks<Item extends { task: Pick<Task, 'id' | 'user'>; agentType: AgentType }>(work: readonly Item[], options: Pick<RunOptions, 'userModel' | 'agentType'>): { work: Item[]; notices: string[] } {
  const codeDialogues = work.filter((item) => item.task.user && item.agentType === 'code');
  if (codeDialogues.length && options.agentType !== 'both') {
    throw new InputError(`task ${codeDialogues[0]!.task.id} is a dialogue (it has a user block): only the tool agent holds dialogues, not the code agent; run it with --agent-type tool`);
  }
  const kept = codeDialogues.length ? work.filter((item) => !(item.task.user && item.agentType === 'code')) : [...work];
  const ids = [...new Set(codeDialogues.map((item) => item.task.id))];
  const notices = ids.length ? [`${ids.length} dialogue task(s) run with the tool agent only (the code agent holds no dialogues): ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', ...' : ''}`] : [];
  const dialogue = kept.find((item) => item.task.user);
  if (dialogue && !options.userModel) throw new InputError(`task ${dialogue.task.id} is a dialogue (it has a user block): give the simulated user's model with --user-model (e.g. --user-model openai/gpt-4o-mini)`);
  return { work: kept, notices };
}

export function setUpDialogueModel(options: RunOptions, env: Record<string, string | undefined>): DialogueModelSetup | undefined {
  if (!options.userModel) return undefined;
  let resolved: ResolvedModel;
  try {
    resolved = resolveModel({ model: options.userModel, provider: 'litellm', ...(options.userBaseUrl && { baseUrl: options.userBaseUrl }), env, keyOptional: options.cache === 'replay' });
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    throw new InputError(error.message.replace(/^--model\b/, '--user-model').replace(/--base-url\b/g, '--user-base-url'));
  }
  const generation = toGenerationParameters(options.userArgs ?? {}, '--user-args');
  let provider: Promise<ModelProvider> | undefined;
  let layer = (created: ModelProvider) => created;
  return {
    resolved,
    useLayer: (wrap) => {
      layer = wrap;
    },
    simulator: async () =>
      new UserSimulator(
        await (provider ??= createProvider(resolved, {
          timeoutMs: options.requestTimeoutSeconds * 1000,
          retry: { maxRetries: options.maxRetries, baseDelayMs: 500, maxDelayMs: 60_000 },
        }).then(layer)),
        generation,
      ),
    close: async () => {
      await (await provider)?.close?.();
    },
  };
}
