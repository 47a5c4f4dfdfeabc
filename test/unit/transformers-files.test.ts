import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { availableDtypes, chooseDtype, transformersFiles, weightFile, type WeightDtype } from '../../src/models/transformers-files.js';

const BASE = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];

/** The config and tokenizer files plus the weight file of each dtype. */
function repo(dtypes: readonly WeightDtype[], extra: readonly string[] = []): string[] {
  return [...BASE, ...dtypes.map(weightFile), ...extra];
}

function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('weightFile and availableDtypes', () => {
  it("names the weight files as transformers.js does", () => {
    expect(weightFile('fp32')).toBe('onnx/model.onnx');
    expect(weightFile('fp16')).toBe('onnx/model_fp16.onnx');
    expect(weightFile('q8')).toBe('onnx/model_quantized.onnx');
    expect(weightFile('q4')).toBe('onnx/model_q4.onnx');
    expect(weightFile('q4f16')).toBe('onnx/model_q4f16.onnx');
    expect(weightFile('int8')).toBe('onnx/model_int8.onnx');
    expect(weightFile('uint8')).toBe('onnx/model_uint8.onnx');
    expect(weightFile('bnb4')).toBe('onnx/model_bnb4.onnx');
  });

  it('lists the published dtypes in auto order, whatever the order of the paths', () => {
    const paths = ['onnx/model_q4f16.onnx', 'onnx/model_fp16.onnx', 'onnx/model.onnx', 'onnx/model_quantized.onnx', 'README.md'];
    expect(availableDtypes(paths)).toEqual(['fp32', 'q8', 'fp16', 'q4f16']);
    expect(availableDtypes(BASE)).toEqual([]);
    // Only the standard root name counts: a decoder split or a file outside onnx/ is no weight file here.
    expect(availableDtypes(['onnx/decoder_model.onnx', 'model.onnx', 'onnx/model.onnx_data'])).toEqual([]);
  });
});

describe('chooseDtype', () => {
  it('auto picks fp32 when published', () => {
    expect(chooseDtype(repo(['q4', 'fp16', 'q8', 'fp32']), 'auto', 'org/model')).toBe('fp32');
  });

  it('auto falls back to q8, then fp16, then q4, then the rest', () => {
    expect(chooseDtype(repo(['q4', 'fp16', 'q8']), 'auto', 'org/model')).toBe('q8');
    expect(chooseDtype(repo(['q4', 'fp16']), 'auto', 'org/model')).toBe('fp16');
    expect(chooseDtype(repo(['q4f16', 'q4']), 'auto', 'org/model')).toBe('q4');
    expect(chooseDtype(repo(['bnb4', 'int8']), 'auto', 'org/model')).toBe('int8');
    expect(chooseDtype(repo(['bnb4', 'uint8']), 'auto', 'org/model')).toBe('uint8');
    expect(chooseDtype(repo(['bnb4', 'q4f16']), 'auto', 'org/model')).toBe('q4f16');
    expect(chooseDtype(repo(['bnb4']), 'auto', 'org/model')).toBe('bnb4');
  });

  it('an explicit dtype is used when its weights are published, even when fp32 is too', () => {
    expect(chooseDtype(repo(['fp32', 'q4']), 'q4', 'org/model')).toBe('q4');
    expect(chooseDtype(repo(['fp32', 'fp16']), 'fp16', 'org/model')).toBe('fp16');
    expect(chooseDtype(repo(['fp32']), 'fp32', 'org/model')).toBe('fp32');
  });

  it('an explicit dtype that is missing is an InputError naming its file and what exists', () => {
    const error = thrown(() => chooseDtype(repo(['q4', 'fp32', 'fp16']), 'q8', 'org/model'));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe('--dtype q8: model org/model has no onnx/model_quantized.onnx; it publishes fp32, fp16, q4');
  });

  it('a repo without ONNX weights is an InputError pointing to ONNX exports, for auto and explicit dtypes', () => {
    for (const requested of ['auto', 'q4'] as const) {
      const error = thrown(() => chooseDtype([...BASE, 'model.safetensors'], requested, 'org/pytorch-only'));
      expect(error).toBeInstanceOf(InputError);
      expect(error.message).toMatch(/^model org\/pytorch-only: no ONNX weights \(onnx\/model\*\.onnx\)/);
      expect(error.message).toContain('onnx-community/');
    }
  });
});

describe('transformersFiles', () => {
  it('selects config, tokenizer and the weight file; nothing else when no optional file exists', () => {
    expect(transformersFiles(repo(['fp32']), 'fp32', 'org/model')).toEqual([...BASE, 'onnx/model.onnx']);
  });

  it('a required file missing is an InputError naming every missing one', () => {
    const error = thrown(() => transformersFiles(['config.json', 'onnx/model.onnx'], 'fp32', 'org/model'));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe(
      'model org/model: tokenizer.json, tokenizer_config.json missing; transformers.js needs the model\'s config and tokenizer files',
    );
    const onlyConfig = thrown(() => transformersFiles(['tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'], 'fp32', 'org/model'));
    expect(onlyConfig).toBeInstanceOf(InputError);
    expect(onlyConfig.message).toMatch(/^model org\/model: config\.json missing;/);
  });

  it('includes the optional files that exist and only those', () => {
    const paths = repo(['fp32'], ['generation_config.json', 'chat_template.jinja', 'README.md', 'model.safetensors', 'vocab.txt']);
    expect(transformersFiles(paths, 'fp32', 'org/model')).toEqual([...BASE, 'generation_config.json', 'chat_template.jinja', 'onnx/model.onnx']);
    const all = repo(['fp32'], ['chat_template.json', 'special_tokens_map.json', 'generation_config.json', 'chat_template.jinja']);
    expect(new Set(transformersFiles(all, 'fp32', 'org/model'))).toEqual(
      new Set([...BASE, 'generation_config.json', 'special_tokens_map.json', 'chat_template.jinja', 'chat_template.json', 'onnx/model.onnx']),
    );
  });

  it("includes the weight file's external data parts", () => {
    const paths = repo(['q4', 'fp32'], ['onnx/model_q4.onnx_data', 'onnx/model_q4.onnx_data_1', 'onnx/model_q4.onnx_data_2']);
    expect(transformersFiles(paths, 'q4', 'org/model')).toEqual([
      ...BASE,
      'onnx/model_q4.onnx',
      'onnx/model_q4.onnx_data',
      'onnx/model_q4.onnx_data_1',
      'onnx/model_q4.onnx_data_2',
    ]);
  });

  it("leaves out the other dtypes' weights and their external data", () => {
    const paths = repo(['fp32', 'fp16', 'q4', 'q4f16', 'q8'], [
      'onnx/model.onnx_data',
      'onnx/model_fp16.onnx_data',
      'onnx/model_q4f16.onnx_data',
      'onnx/model_q4.onnx_data',
    ]);
    expect(transformersFiles(paths, 'q4', 'org/model')).toEqual([...BASE, 'onnx/model_q4.onnx', 'onnx/model_q4.onnx_data']);
    expect(transformersFiles(paths, 'fp32', 'org/model')).toEqual([...BASE, 'onnx/model.onnx', 'onnx/model.onnx_data']);
    expect(transformersFiles(paths, 'q8', 'org/model')).toEqual([...BASE, 'onnx/model_quantized.onnx']);
  });

  it('composes with chooseDtype as the snapshot selector does', () => {
    const paths = repo(['q4', 'fp16'], ['onnx/model_fp16.onnx_data', 'onnx/model_q4.onnx_data', 'generation_config.json']);
    const dtype = chooseDtype(paths, 'auto', 'org/model');
    expect(dtype).toBe('fp16');
    expect(transformersFiles(paths, dtype, 'org/model')).toEqual([
      ...BASE,
      'generation_config.json',
      'onnx/model_fp16.onnx',
      'onnx/model_fp16.onnx_data',
    ]);
  });
});
