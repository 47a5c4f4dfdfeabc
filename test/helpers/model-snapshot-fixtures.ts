// A small model repo for the ensureModelSnapshot tests: config and tokenizer files, three dtypes'
// weights (LFS by the .gitattributes that seedModel adds) and external data, as plain bytes.
import { join } from 'node:path';
import type { FileSelector } from '../../src/hub/model-snapshot.js';
import { chooseDtype, transformersFiles, type Dtype } from '../../src/models/transformers-files.js';
import type { FileContent } from './hub-store.js';

/** `size` deterministic bytes, different for each `seed`. */
export function patternBytes(size: number, seed: number): Uint8Array {
  return new Uint8Array(size).map((_, index) => (index * 31 + seed * 17 + (index >> 8)) % 251);
}

export const MODEL_FILES: Readonly<Record<string, FileContent>> = {
  'config.json': '{"model_type": "qwen2", "vocab_size": 32}',
  'tokenizer.json': '{"version": "1.0", "model": {"type": "BPE"}}',
  'tokenizer_config.json': '{"chat_template": "{{ messages }}"}',
  'generation_config.json': '{"eos_token_id": 2}',
  'README.md': '# tiny chat\n',
  'onnx/model.onnx': patternBytes(4000, 1),
  'onnx/model.onnx_data': patternBytes(5000, 2),
  'onnx/model_fp16.onnx': patternBytes(2000, 3),
  'onnx/model_q4.onnx': patternBytes(1500, 4),
  'onnx/model_q4.onnx_data': patternBytes(300_000, 5),
};

/** What the q4 selector picks from MODEL_FILES. */
export const Q4_SELECTION: readonly string[] = [
  'config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'generation_config.json',
  'onnx/model_q4.onnx',
  'onnx/model_q4.onnx_data',
];

/** The selector local-model.ts builds: chooseDtype, then transformersFiles. */
export function selector(dtype: Dtype, model: string): FileSelector {
  return (paths) => transformersFiles(paths, chooseDtype(paths, dtype, model), model);
}

/** <cacheDir>/models--org--name */
export function repoFolder(cacheDir: string, repo: string): string {
  return join(cacheDir, `models--${repo.split('/').join('--')}`);
}

export { closedPort } from './loopback-http.js';
