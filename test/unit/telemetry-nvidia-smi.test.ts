import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  NVIDIA_SMI_ARGS,
  NvidiaSmiParseError,
  parseNvidiaSmiCsv,
  queryGpus,
} from '../../src/telemetry/nvidia-smi.js';
import { createFakeNvidiaSmi, nvidiaSmiFixture, type FakeNvidiaSmi } from '../helpers/fake-nvidia-smi.js';

const A100 = {
  index: 0,
  name: 'NVIDIA A100-SXM4-80GB',
  uuid: 'GPU-4f2a9c1e-8b3d-4e7a-9f21-6c0d5e8a7b13',
  utilizationPercent: 87,
  memoryUsedMiB: 41235,
  memoryTotalMiB: 81920,
  temperatureC: 62,
  powerW: 312.45,
};

describe('parseNvidiaSmiCsv', () => {
  it('parses one GPU', () => {
    expect(parseNvidiaSmiCsv(nvidiaSmiFixture('a100-1gpu.csv'))).toEqual([A100]);
  });

  it('parses two GPUs in index order', () => {
    const gpus = parseNvidiaSmiCsv(nvidiaSmiFixture('rtx4090-2gpu.csv'));
    expect(gpus.map((gpu) => gpu.index)).toEqual([0, 1]);
    expect(gpus[1]).toEqual({
      index: 1,
      name: 'NVIDIA GeForce RTX 4090',
      uuid: 'GPU-8c0f4a97-3e21-4b5d-a6c8-f1e2d3b4a590',
      utilizationPercent: 45,
      memoryUsedMiB: 10240,
      memoryTotalMiB: 24564,
      temperatureC: 58,
      powerW: 187.9,
    });
  });

  it('turns [N/A] and [Not Supported] into null', () => {
    const [gpu] = parseNvidiaSmiCsv(nvidiaSmiFixture('power-na.csv'));
    expect(gpu).toMatchObject({ name: 'NVIDIA GeForce GTX 1650', utilizationPercent: null, powerW: null, memoryUsedMiB: 1024 });
  });

  it('accepts CRLF line ends and blank lines', () => {
    const text = nvidiaSmiFixture('a100-1gpu.csv').replace('\n', '\r\n') + '\r\n\r\n';
    expect(parseNvidiaSmiCsv(text)).toEqual([A100]);
  });

  it('rejects rows with the wrong field count or a non-numeric measurement', () => {
    expect(() => parseNvidiaSmiCsv('0, GPU, GPU-x, 10')).toThrow(NvidiaSmiParseError);
    expect(() => parseNvidiaSmiCsv('0, GPU, GPU-x, 10, 1, 2, 3, lots')).toThrow(/line 1: powerW: not a number/);
    expect(() => parseNvidiaSmiCsv('x, GPU, GPU-x, 10, 1, 2, 3, 4')).toThrow(/line 1: index/);
  });
});

describe('queryGpus', () => {
  let fake: FakeNvidiaSmi | undefined;
  const savedPath = process.env.PATH;
  afterEach(() => {
    fake?.cleanup();
    fake = undefined;
    process.env.PATH = savedPath;
  });

  it('runs the binary with the documented query and parses its output', async () => {
    fake = createFakeNvidiaSmi({ fixture: 'rtx4090-2gpu.csv' });
    const result = await queryGpus({ binary: fake.binary });
    expect(result.available).toBe(true);
    if (result.available) expect(result.gpus).toHaveLength(2);
    expect(fake.argumentLog()).toEqual([NVIDIA_SMI_ARGS.join(' ')]);
    expect(NVIDIA_SMI_ARGS).toEqual([
      '--query-gpu=index,name,uuid,utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw',
      '--format=csv,noheader,nounits',
    ]);
  });

  it('finds nvidia-smi on PATH by default', async () => {
    fake = createFakeNvidiaSmi({ fixture: 'a100-1gpu.csv' });
    process.env.PATH = fake.pathWithFake();
    expect(await queryGpus()).toEqual({ available: true, gpus: [A100] });
    expect(fake.invocations()).toBe(1);
  });

  it('reports a failing driver by the first line of its message', async () => {
    fake = createFakeNvidiaSmi({ fixture: 'driver-failed.txt', exitCode: 9 });
    expect(await queryGpus({ binary: fake.binary })).toEqual({
      available: false,
      reason:
        "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.",
    });
  });

  it('prefers stderr and falls back to the exit code', async () => {
    fake = createFakeNvidiaSmi([
      { stdout: 'partial\n', stderr: '\nFailed to initialize NVML: Driver/library version mismatch\n', exitCode: 18 },
      { exitCode: 3 },
    ]);
    expect(await queryGpus({ binary: fake.binary })).toEqual({
      available: false,
      reason: 'Failed to initialize NVML: Driver/library version mismatch',
    });
    expect(await queryGpus({ binary: fake.binary })).toEqual({ available: false, reason: 'nvidia-smi failed (exit code 3)' });
  });

  it('reports a missing binary, by path or on PATH', async () => {
    expect(await queryGpus({ binary: '/nonexistent/dir/nvidia-smi' })).toEqual({ available: false, reason: 'nvidia-smi not found' });
    const empty = mkdtempSync(join(tmpdir(), 'no-nvidia-smi-'));
    try {
      process.env.PATH = empty;
      expect(await queryGpus()).toEqual({ available: false, reason: 'nvidia-smi not found' });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('reports unparseable output and an empty GPU list', async () => {
    fake = createFakeNvidiaSmi([{ stdout: 'No devices were found\n' }, { stdout: '\n' }]);
    const first = await queryGpus({ binary: fake.binary });
    expect(first.available).toBe(false);
    if (!first.available) expect(first.reason).toMatch(/^unexpected nvidia-smi output: line 1: expected 8 fields/);
    expect(await queryGpus({ binary: fake.binary })).toEqual({ available: false, reason: 'nvidia-smi listed no GPUs' });
  });

  it('gives up on a hung binary after the timeout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hung-nvidia-smi-'));
    try {
      const binary = join(dir, 'nvidia-smi');
      writeFileSync(binary, '#!/bin/sh\nexec sleep 30\n');
      chmodSync(binary, 0o755);
      expect(await queryGpus({ binary, timeoutMs: 200 })).toEqual({ available: false, reason: 'nvidia-smi timed out after 200 ms' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
