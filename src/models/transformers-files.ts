/**
 * Which files of a model repo (or local folder) transformers.js needs for a causal LM, and which
 * ONNX weight variant a `--dtype` means. Pure: works on a list of relative paths.
 */
import { InputError } from '../errors.js';

/** `--dtype` values: transformers.js's data types, plus `auto`. */
export const DTYPES = ['auto', 'fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4'] as const;
export type Dtype = (typeof DTYPES)[number];
export type WeightDtype = Exclude<Dtype, 'auto'>;

/** `--device` values: transformers.js's device names for Node. */
export const DEVICES = ['cpu', 'cuda', 'webgpu', 'dml', 'coreml'] as const;
export type Device = (typeof DEVICES)[number];

/** transformers.js 4's file-name suffix for each data type (onnx/model{suffix}.onnx). */
const SUFFIX: Record<WeightDtype, string> = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
};

/** `auto`: full precision where published (transformers.js's own CPU default), else the smallest loss first. */
const AUTO_ORDER: readonly WeightDtype[] = ['fp32', 'q8', 'fp16', 'q4', 'int8', 'uint8', 'q4f16', 'bnb4'];

const REQUIRED = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];
const OPTIONAL = ['generation_config.json', 'special_tokens_map.json', 'chat_template.jinja', 'chat_template.json'];

export function weightFile(dtype: WeightDtype): string {
  return `onnx/model${SUFFIX[dtype]}.onnx`;
}

/** The dtypes whose weights `paths` holds, in AUTO_ORDER. */
export function availableDtypes(paths: readonly string[]): WeightDtype[] {
  const present = new Set(paths);
  return AUTO_ORDER.filter((dtype) => present.has(weightFile(dtype)));
}

/** The weight variant to load: the requested one, or for `auto` the first published in AUTO_ORDER. */
export function chooseDtype(paths: readonly string[], requested: Dtype, model: string): WeightDtype {
  const available = availableDtypes(paths);
  if (available.length === 0) {
    throw new InputError(
      `model ${model}: no ONNX weights (onnx/model*.onnx); transformers.js runs ONNX models, so look for an ONNX export (often published as onnx-community/<name>)`,
    );
  }
  if (requested === 'auto') return available[0]!;
  if (!available.includes(requested)) {
    throw new InputError(`--dtype ${requested}: model ${model} has no ${weightFile(requested)}; it publishes ${available.join(', ')}`);
  }
  return requested;
}

/**
 * The files to fetch or check for `dtype`: config, tokenizer, chat template and the weight file
 * with its external-data parts (`.onnx_data`, `.onnx_data_1`, ...). Throws when a required file is missing.
 */
export function transformersFiles(paths: readonly string[], dtype: WeightDtype, model: string): string[] {
  const present = new Set(paths);
  const missing = REQUIRED.filter((path) => !present.has(path));
  if (missing.length) throw new InputError(`model ${model}: ${missing.join(', ')} missing; transformers.js needs the model's config and tokenizer files`);
  const weights = weightFile(dtype);
  const externalData = paths.filter((path) => path.startsWith(`${weights}_data`));
  return [...REQUIRED, ...OPTIONAL.filter((path) => present.has(path)), weights, ...externalData];
}
