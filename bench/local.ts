// Local generation (transformers.js): tokens/s of a bare `model.generate` call against the same
// generation through the harness's provider (chat template, stop checks, decoding, tool-call
// parsing), on one loaded model; the ratio is the harness's overhead. Default model: the tiny
// generated ONNX model of the tests (a long scripted reply), whose forward pass costs next to
// nothing, so the ratio shows the overhead at its largest. `--local-model <folder>` benches a real
// model folder instead (e.g. a snapshot in the Hugging Face cache).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TransformersProvider } from 'agent-eval';
import { writeTinyModel } from '../test/helpers/tiny-onnx-model.js';

const median = (values: number[]) => [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)]!;

interface Figures {
  tokensPerSecond: number;
  tokens: number;
}

const MESSAGES = [
  { role: 'system' as const, content: 'You are a helpful assistant.' },
  { role: 'user' as const, content: 'Describe the weather in Paris, France in detail.' },
];

export async function benchLocal(options: { modelFolder?: string; dtype?: string; repeats: number; maxNewTokens: number }): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'agent-eval-bench-local-'));
  try {
    let folder = options.modelFolder;
    if (!folder) {
      const words = Array.from({ length: options.maxNewTokens - 1 }, (_, index) => `w${index}`);
      folder = (await writeTinyModel(join(directory, 'tiny'), { replies: [words.join(' ')] })).folder;
    }
    const dtype = (options.dtype ?? 'fp32') as 'fp32';
    const provider = new TransformersProvider({ modelId: 'bench', folder, device: 'cpu', dtype });
    const loadStarted = performance.now();
    const loaded = await provider.load();
    const loadMs = performance.now() - loadStarted;
    const { tokenizer, model } = loaded;

    const bare = async (): Promise<Figures> => {
      const started = performance.now();
      const inputs = tokenizer.apply_chat_template(MESSAGES as never, { add_generation_prompt: true, return_dict: true }) as unknown as { input_ids: { dims: number[] } };
      const output = (await model.generate({ ...inputs, max_new_tokens: options.maxNewTokens, do_sample: false } as never)) as unknown as { dims: number[] };
      const tokens = output.dims.at(-1)! - inputs.input_ids.dims.at(-1)!;
      return { tokens, tokensPerSecond: tokens / ((performance.now() - started) / 1000) };
    };
    const harness = async (stop: string[]): Promise<Figures> => {
      const started = performance.now();
      const response = await provider.generate({ messages: MESSAGES, maxOutputTokens: options.maxNewTokens, stop });
      const tokens = response.usage.outputTokens;
      return { tokens, tokensPerSecond: tokens / ((performance.now() - started) / 1000) };
    };

    await bare();
    await harness([]);
    const runs = { bare: [] as Figures[], harness: [] as Figures[], stop: [] as Figures[] };
    // The three paths take turns going first, so warm-up and garbage collection favour none of them.
    const steps = [async () => runs.bare.push(await bare()), async () => runs.harness.push(await harness([])), async () => runs.stop.push(await harness(['never appears']))];
    for (let index = 0; index < options.repeats; index++) {
      for (let offset = 0; offset < steps.length; offset++) await steps[(index + offset) % steps.length]!();
    }
    const rate = (list: Figures[]) => median(list.map((figure) => figure.tokensPerSecond));
    console.log(`\nlocal generation (transformers.js, cpu, ${options.modelFolder ? folder : 'tiny generated model'}, ${dtype}): load ${loadMs.toFixed(0)} ms, ${runs.bare[0]!.tokens} new tokens, median of ${options.repeats}`);
    console.log('path                          tokens/s   vs bare');
    const bareRate = rate(runs.bare);
    for (const [label, list] of [['bare model.generate', runs.bare], ['harness provider', runs.harness], ['harness, with a stop string', runs.stop]] as const) {
      console.log(`${label.padEnd(28)} ${rate(list).toFixed(1).padStart(9)}   ${(rate(list) / bareRate).toFixed(3).padStart(7)}`);
    }
    await provider.close();
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
