// Without the optional @huggingface/transformers package (npm ci --omit=optional), a local model is
// a StartupError that says how to install it, not a stack trace.
import { describe, expect, it, vi } from 'vitest';
import { StartupError } from '../../src/errors.js';

vi.mock('@huggingface/transformers', () => {
  const error = new Error("Cannot find package '@huggingface/transformers'") as NodeJS.ErrnoException;
  error.code = 'ERR_MODULE_NOT_FOUND';
  throw error;
});

describe('importTransformers without the optional package', () => {
  it('says how to install it', async () => {
    const { importTransformers } = await import('../../src/models/transformers-runtime.js');
    const failure = await importTransformers().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StartupError);
    expect((failure as Error).message).toBe(
      'local models need the optional package @huggingface/transformers, which is not installed; install it with: ONNXRUNTIME_NODE_INSTALL=skip npm install @huggingface/transformers',
    );
  });
});
