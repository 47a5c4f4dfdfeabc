/**
 * The simulated user's model (`--user-model`, `--user-base-url`, `--user-args`): any supported provider,
 * resolved (key checked) while the run is prepared, its client made with the first dialogue.
 */
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

/** Fails when a selected task is a dialogue (has a `user` block) and no --user-model is given. */
export function checkDialogueTasks(tasks: readonly Pick<Task, 'id' | 'user'>[], options: Pick<RunOptions, 'userModel'>): void {
  const dialogue = tasks.find((task) => task.user);
  if (dialogue && !options.userModel) throw new InputError(`task ${dialogue.id} is a dialogue (it has a user block): give the simulated user's model with --user-model (e.g. --user-model openai/gpt-4o-mini)`);
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
  const generation = toGenerationParameters(options.userArgs ?? {});
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
