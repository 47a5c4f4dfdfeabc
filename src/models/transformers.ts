/**
 * A local model run with transformers.js (ONNX Runtime): the chat template renders messages and
 * tools, greedy or sampled decoding generates, and tool calls are parsed from the generated text in
 * the formats open models use. Token counts come from the tokenizer, so usage is exact.
 */
import { ProviderError } from './errors.js';
import { parseGeneratedText } from './generated-tool-calls.js';
import { acquireModel, releaseModel, type LoadedModel } from './transformers-runtime.js';
import { localGenerationSettings, toChatTemplateMessages, toChatTemplateTools } from './transformers-messages.js';
import type { Device, WeightDtype } from './transformers-files.js';
import type { FinishReason, ModelProvider, ModelRequest, ModelResponse } from './types.js';

export interface TransformersOptions {
  /** The name results carry (the Hub id, or the folder's name). */
  modelId: string;
  /** Absolute folder with the model files. */
  folder: string;
  device: Device;
  dtype: WeightDtype;
  /** Per-generation limit. */
  timeoutMs?: number;
  /** Defaults under `--model-args` extras, e.g. `{ enable_thinking: false }` for the default model. */
  defaults?: Record<string, unknown>;
}

type StopReason = 'aborted' | 'timeout' | 'stop-sequence';

/** Where the earliest stop sequence starts in `text`, or -1. */
function stopIndex(text: string, stops: readonly string[]): number {
  let first = -1;
  for (const stop of stops) {
    const at = stop ? text.indexOf(stop) : -1;
    if (at >= 0 && (first < 0 || at < first)) first = at;
  }
  return first;
}

export class TransformersProvider implements ModelProvider {
  readonly provider = 'transformers';
  readonly modelId: string;
  private readonly options: TransformersOptions;
  private loading: Promise<LoadedModel> | undefined;
  private callSeq = 0;

  constructor(options: TransformersOptions) {
    this.options = options;
    this.modelId = options.modelId;
  }

  /** Loads the model (once; shared with other providers of the same folder, device and dtype). */
  load(): Promise<LoadedModel> {
    this.loading ??= acquireModel({ folder: this.options.folder, device: this.options.device, dtype: this.options.dtype });
    return this.loading;
  }

  async generate(request: ModelRequest): Promise<ModelResponse> {
    const loaded = await this.load();
    if (request.signal?.aborted) throw new ProviderError('aborted', 'request aborted');
    return loaded.serialise(() => this.run(loaded, request));
  }

  async close(): Promise<void> {
    if (!this.loading) return;
    this.loading = undefined;
    await releaseModel({ folder: this.options.folder, device: this.options.device, dtype: this.options.dtype });
  }

  private async run(loaded: LoadedModel, request: ModelRequest): Promise<ModelResponse> {
    if (request.signal?.aborted) throw new ProviderError('aborted', 'request aborted');
    const { tokenizer, model, library } = loaded;
    const settings = localGenerationSettings(request, this.options.defaults);
    let inputs: { input_ids: { dims: number[] } } & Record<string, unknown>;
    try {
      inputs = tokenizer.apply_chat_template(toChatTemplateMessages(request.messages) as never, {
        tools: toChatTemplateTools(request.tools) as never,
        add_generation_prompt: true,
        return_dict: true,
        ...settings.template,
      }) as never;
    } catch (error) {
      throw new ProviderError('bad-request', `the model's chat template failed: ${(error as Error).message}`, { cause: error });
    }
    const promptTokens = inputs.input_ids.dims.at(-1) ?? 0;
    const timeoutMs = this.options.timeoutMs ?? 600_000;
    const deadline = Date.now() + timeoutMs;
    const state: { reason?: StopReason } = {};
    const stops = settings.stop;
    // Stop sequences are looked for in a rolling tail of the text, one token decoded per step (a
    // character split across tokens may delay the stop by a token; the final cut uses the full text).
    const tailLength = Math.max(0, ...stops.map((stop) => stop.length)) * 2 + 16;
    let tail = '';
    // Checked after every token: abort, timeout, and stop sequences.
    class HarnessStop extends library.StoppingCriteria {
      override _call(ids: readonly (readonly (number | bigint)[])[]): boolean[] {
        if (request.signal?.aborted) state.reason = 'aborted';
        else if (Date.now() > deadline) state.reason = 'timeout';
        else if (stops.length) {
          const last = ids[0]?.at(-1);
          if (last !== undefined) tail = (tail + tokenizer.decode([Number(last)], { skip_special_tokens: false })).slice(-tailLength);
          if (stopIndex(tail, stops) >= 0) state.reason = 'stop-sequence';
        }
        return ids.map(() => state.reason !== undefined);
      }
    }
    let output: unknown;
    try {
      output = await model.generate({ ...inputs, ...settings.generate, stopping_criteria: [new HarnessStop()] } as never);
    } catch (error) {
      throw new ProviderError('server', `local generation failed: ${(error as Error).message.split('\n')[0]}`, { cause: error });
    }
    if (state.reason === 'aborted') throw new ProviderError('aborted', 'request aborted');
    const sequence = ((output as { tolist(): bigint[][] }).tolist()[0] ?? []).map(Number);
    const generated = sequence.slice(promptTokens);
    if (state.reason === 'timeout') {
      throw new ProviderError('timeout', `local generation timed out after ${timeoutMs / 1000} s (${generated.length} tokens generated)`);
    }
    const ended = generated.length > 0 && loaded.endTokenIds.has(generated.at(-1)!);
    let text = tokenizer.decode(generated, { skip_special_tokens: false });
    const cut = stopIndex(text, stops);
    if (cut >= 0) text = text.slice(0, cut);
    const parsed = parseGeneratedText(text, { nextId: () => `call_${++this.callSeq}`, specialTokens: loaded.specialTokens });
    const reasoningTokens = parsed.reasoning ? tokenizer.encode(parsed.reasoning, { add_special_tokens: false }).length : 0;
    let finishReason: FinishReason = ended || cut >= 0 ? 'stop' : generated.length >= settings.maxNewTokens ? 'length' : 'other';
    if (parsed.toolCalls.length && finishReason !== 'length') finishReason = 'tool-calls';
    return {
      message: {
        role: 'assistant',
        content: parsed.content,
        ...(parsed.toolCalls.length && { toolCalls: parsed.toolCalls }),
        ...(parsed.reasoning && { reasoning: parsed.reasoning }),
      },
      usage: { inputTokens: promptTokens, outputTokens: generated.length, ...(reasoningTokens && { reasoningTokens }) },
      finishReason,
      model: this.modelId,
      attempts: 1,
    };
  }
}
