import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { hostLaunch } from '../../src/sandbox/launch.js';
import { normalizeOptions } from '../../src/sandbox/options.js';
import { BASE_AUTHORIZED_IMPORTS } from '../../src/sandbox/types.js';
import { capWasmMemory } from '../../src/sandbox/wasm-memory.js';

interface WasmMemory {
  grow(pages: number): number;
}
const wasm = (globalThis as unknown as {
  WebAssembly: {
    instantiate(bytes: Uint8Array): Promise<{ instance: { exports: { mem: WasmMemory } } }>;
  };
}).WebAssembly;

/** A module that defines one memory with these limits and exports it as "mem". */
function moduleWithMemory(min: number, max?: number): Uint8Array {
  const limits = max === undefined ? [0x00, min] : [0x01, min, max];
  const memory = [0x01, ...limits];
  const exports = [0x01, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...[0x05, memory.length, ...memory],
    ...[0x07, exports.length, ...exports],
  ]);
}

describe('capWasmMemory', () => {
  it('adds a maximum to a memory that has none, and the runtime enforces it', async () => {
    const { bytes, before } = capWasmMemory(moduleWithMemory(1), 2 * 65_536);
    expect(before).toEqual({ minPages: 1, maxPages: undefined });
    const { instance } = await wasm.instantiate(bytes);
    expect(instance.exports.mem.grow(1)).toBe(1);
    expect(() => instance.exports.mem.grow(1)).toThrow(RangeError);
  });

  it('lowers an existing maximum but never below the minimum', () => {
    expect(capWasmMemory(capWasmMemory(moduleWithMemory(1, 100), 3 * 65_536).bytes, 1e9).before).toEqual({ minPages: 1, maxPages: 3 });
    expect(capWasmMemory(capWasmMemory(moduleWithMemory(5, 100), 65_536).bytes, 1e9).before).toEqual({ minPages: 5, maxPages: 5 });
  });

  it("rewrites Pyodide's 4 GiB maximum", () => {
    const pyodide = fs.readFileSync(path.join(hostLaunch().pyodideDir, 'pyodide.asm.wasm'));
    const capped = capWasmMemory(pyodide, 512 * 2 ** 20);
    expect(capped.before.maxPages).toBe(65_536);
    expect(capWasmMemory(capped.bytes, 1e12).before).toEqual({ minPages: capped.before.minPages, maxPages: 8192 });
  });

  it('rejects what it cannot handle', () => {
    expect(() => capWasmMemory(new Uint8Array([1, 2, 3, 4]), 1)).toThrow(/not a wasm binary/);
    expect(() => capWasmMemory(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), 1)).toThrow(/defines no memory/);
  });
});

describe('sandbox options', () => {
  const tool = { name: 'get_weather', description: 'Weather.', parameters: ['location'] };

  it('fills in defaults and extends the base import list', () => {
    const config = normalizeOptions({ size: 2, tools: [tool], authorizedImports: ['numpy.*', 'pandas', 'math'] });
    expect(config).toMatchObject({ size: 2, stepTimeoutMs: 30_000, memoryLimitMiB: 512, outputLimitBytes: 65_536 });
    expect(config.allowedImports).toEqual([...BASE_AUTHORIZED_IMPORTS, 'numpy', 'pandas']);
    expect(config.tools).toEqual([tool]);
  });

  it('drops a final_answer tool (built in) and rejects names Python cannot call', () => {
    const finalAnswer = { name: 'final_answer', description: '', parameters: ['answer'] };
    expect(normalizeOptions({ size: 1, tools: [finalAnswer, tool] }).tools).toEqual([tool]);
    const bad = (tools: typeof tool[]) => () => normalizeOptions({ size: 1, tools });
    expect(bad([{ ...tool, name: 'web-search' }])).toThrow(InputError);
    expect(bad([{ ...tool, parameters: ['from'] }])).toThrow(/parameter 'from'/);
    expect(bad([tool, tool])).toThrow(/defined twice/);
    expect(() => normalizeOptions({ size: 1, tools: [], authorizedImports: ['os; rm'] })).toThrow(InputError);
    expect(() => normalizeOptions({ size: 0, tools: [] })).toThrow(/size/);
    expect(() => normalizeOptions({ size: 1, tools: [], memoryLimitMiB: 16 })).toThrow(/memoryLimitMiB/);
  });

  it('starts each sandbox process under the permission model: no child processes, writes or worker threads', () => {
    for (const wrapper of ['none', 'unshare', 'bwrap']) {
      let launch;
      try {
        launch = hostLaunch(wrapper);
      } catch {
        continue; // this system cannot use that wrapper
      }
      const { file, args } = launch.command(['/tmp/snapshot.bin']);
      const nodeIndex = args.findIndex((arg) => arg === '--experimental-permission');
      expect(nodeIndex, wrapper).toBeGreaterThanOrEqual(0);
      expect(args).toContain(`--allow-fs-read=${launch.pyodideDir}`);
      expect(args).toContain(`--allow-fs-read=${path.dirname(launch.hostScript)}`);
      expect(args).toContain('--allow-fs-read=/tmp/snapshot.bin');
      expect(args).toContain('--disallow-code-generation-from-strings');
      expect(args.at(-1)).toBe(launch.hostScript);
      expect(args.join(' ')).not.toMatch(/allow-child-process|allow-fs-write|allow-addons|allow-wasi|allow-worker/);
      if (wrapper === 'bwrap') {
        expect(file).toBe('bwrap');
        expect(args.slice(0, nodeIndex)).toEqual(expect.arrayContaining(['--unshare-all', '--die-with-parent', '--new-session']));
        expect(args.join(' ')).toContain('--ro-bind /tmp/snapshot.bin /tmp/snapshot.bin');
      }
      if (wrapper === 'unshare') expect(args.slice(0, 4)).toEqual(['--user', '--map-root-user', '--net', '--']);
    }
    expect(() => hostLaunch('docker')).toThrow(/must be one of bwrap, unshare, none/);
  });
});
