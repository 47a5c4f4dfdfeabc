/**
 * Loading local ONNX models with transformers.js. The package (and its 474 MB of ONNX runtimes) is
 * an optional dependency imported only here, on first use. A model is loaded once per process per
 * folder, device and dtype, and shared by every provider that asks for it; its generations run one
 * at a time (ONNX Runtime already spreads one generation over the CPU cores).
 */
import { StartupError } from '../errors.js';
import type { Device, WeightDtype } from './transformers-files.js';

export type TransformersModule = typeof import('@huggingface/transformers');
type Tokenizer = Awaited<ReturnType<TransformersModule['AutoTokenizer']['from_pretrained']>>;
type CausalModel = Awaited<ReturnType<TransformersModule['AutoModelForCausalLM']['from_pretrained']>>;


export interface LoadedModel {
  library: TransformersModule;
  tokenizer: Tokenizer;
  model: CausalModel;
  /** Token ids that end a generation (the config's eos ids and the tokenizer's eos). */
  endTokenIds: Set<number>;
  /** Special token strings, removed from visible content. */
  specialTokens: string[];
  /** Seconds spent loading the tokenizer and creating the ONNX session. */
  loadSeconds: number;
  /** Runs `work` after every generation queued before it. */
  serialise<T>(work: () => Promise<T>): Promise<T>;
}

export interface LoadRequest {
  /** Absolute folder with config.json, tokenizer files and onnx/. */
  folder: string;
  device: Device;
  dtype: WeightDtype;
}

let library: Promise<TransformersModule> | undefined;

/** The transformers.js module, or a StartupError that says how to install it. */
export function importTransformers(): Promise<TransformersModule> {
  library ??= import('@huggingface/transformers')
    .then((module) => {
      // transformers.js and ONNX Runtime log to the console, which would land in our output; their
      // failures reach us as exceptions, which say the same in one line.
      module.env.logLevel = module.LogLevel.NONE;
      return module;
    })
    .catch((error: unknown) => {
      library = undefined;
      // The code is on the error itself, or on its cause where a loader wraps it.
      const codes = [error, (error as { cause?: unknown } | undefined)?.cause].map((item) => (item as NodeJS.ErrnoException | undefined)?.code);
      if (codes.includes('ERR_MODULE_NOT_FOUND')) {
        throw new StartupError(
          'local models need the optional package @huggingface/transformers, which is not installed; ' +
            'install it with: ONNXRUNTIME_NODE_INSTALL=skip npm install @huggingface/transformers',
        );
      }
      throw new StartupError(`transformers.js failed to load: ${(error as Error).message}`);
    });
  return library;
}

function deviceError(device: Device, error: unknown): StartupError {
  const detail = (error as Error).message.split('\n')[0] ?? String(error);
  if (device === 'cuda') {
    return new StartupError(
      `--device cuda: ONNX Runtime could not use CUDA (${detail}). onnxruntime-node gets its CUDA 12 provider ` +
        'libraries only on linux/x64 when installed with ONNXRUNTIME_NODE_INSTALL=cuda12 (run: ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node), ' +
        'and needs an NVIDIA driver with CUDA 12 and cuDNN 9; or use --device cpu',
    );
  }
  return new StartupError(`--device ${device}: ONNX Runtime could not use this device here (${detail}); use --device cpu`);
}

function idList(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  return Array.isArray(value) ? value.filter((item): item is number => typeof item === 'number') : [];
}

async function load(request: LoadRequest): Promise<LoadedModel> {
  const module = await importTransformers();
  const started = performance.now();
  const options = { local_files_only: true } as const;
  const tokenizer = await module.AutoTokenizer.from_pretrained(request.folder, options);
  let model: CausalModel;
  try {
    model = await module.AutoModelForCausalLM.from_pretrained(request.folder, { ...options, device: request.device, dtype: request.dtype });
  } catch (error) {
    if (request.device !== 'cpu' && /execution provider|shared library|backend|not supported|unsupported device/i.test((error as Error).message)) {
      throw deviceError(request.device, error);
    }
    throw new StartupError(`model at ${request.folder}: transformers.js could not load it (${(error as Error).message.split('\n')[0]})`);
  }
  const config = model.config as unknown as Record<string, unknown>;
  const generationConfig = (model as unknown as { generation_config?: Record<string, unknown> }).generation_config ?? {};
  const endTokenIds = new Set([...idList(config.eos_token_id), ...idList(generationConfig.eos_token_id)]);
  const tokenizerEos = (tokenizer as unknown as { eos_token_id?: number }).eos_token_id;
  if (typeof tokenizerEos === 'number') endTokenIds.add(tokenizerEos);
  const specialTokens = ((tokenizer as unknown as { all_special_tokens?: string[] }).all_special_tokens ?? []).filter((token) => token.length > 0);
  let tail: Promise<unknown> = Promise.resolve();
  return {
    library: module,
    tokenizer,
    model,
    endTokenIds,
    specialTokens,
    loadSeconds: (performance.now() - started) / 1000,
    serialise<T>(work: () => Promise<T>): Promise<T> {
      const result = tail.then(work, work);
      tail = result.catch(() => undefined);
      return result;
    },
  };
}

const loaded = new Map<string, { model: Promise<LoadedModel>; users: number }>();

/** The shared model for this folder, device and dtype, loaded on first request. Pair with `releaseModel`. */
export function acquireModel(request: LoadRequest): Promise<LoadedModel> {
  const key = `${request.folder}\0${request.device}\0${request.dtype}`;
  let entry = loaded.get(key);
  if (!entry) {
    entry = { model: load(request), users: 0 };
    loaded.set(key, entry);
    entry.model.catch(() => loaded.delete(key));
  }
  entry.users++;
  return entry.model;
}

/** Drops one user of the model; the last one frees its ONNX session. */
export async function releaseModel(request: LoadRequest): Promise<void> {
  const key = `${request.folder}\0${request.device}\0${request.dtype}`;
  const entry = loaded.get(key);
  if (!entry || --entry.users > 0) return;
  loaded.delete(key);
  const model = await entry.model.catch(() => undefined);
  await (model?.model as unknown as { dispose?: () => Promise<unknown> } | undefined)?.dispose?.();
}
