/**
 * Rewrites the maximum of the memory a WebAssembly module defines, so that the runtime's malloc fails (a clean
 * Python MemoryError) at the cap instead of growing to 4 GiB. Pyodide defines and exports its memory, so patching
 * `WebAssembly.Memory` has no effect; the binary itself must change. Handles wasm32 memories (flags 0 and 1).
 */
const PAGE = 65_536;
const MEMORY_SECTION = 5;

function readLeb(bytes: Uint8Array, offset: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  let position = offset;
  for (;;) {
    const byte = bytes[position++];
    if (byte === undefined) throw new Error('truncated LEB128 in wasm binary');
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if ((byte & 0x80) === 0) return { value, next: position };
  }
}

function writeLeb(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    out.push(byte);
  } while (rest > 0);
  return out;
}

export interface MemoryLimits {
  minPages: number;
  maxPages: number | undefined;
}

/** Returns a copy of `wasm` whose defined memory has maximum `maxBytes` (never below its minimum), and the limits it found. */
export function capWasmMemory(wasm: Uint8Array, maxBytes: number): { bytes: Uint8Array; before: MemoryLimits } {
  if (wasm[0] !== 0 || wasm[1] !== 0x61 || wasm[2] !== 0x73 || wasm[3] !== 0x6d) throw new Error('not a wasm binary');
  let offset = 8;
  while (offset < wasm.length) {
    const id = wasm[offset] ?? 0;
    const size = readLeb(wasm, offset + 1);
    const contentStart = size.next;
    const contentEnd = contentStart + size.value;
    if (id === MEMORY_SECTION) {
      const count = readLeb(wasm, contentStart);
      if (count.value !== 1) throw new Error(`expected one memory, found ${count.value}`);
      const flags = wasm[count.next] ?? 0;
      if (flags > 1) throw new Error(`unsupported memory flags ${flags} (shared or 64-bit memory)`);
      const min = readLeb(wasm, count.next + 1);
      const max = flags === 1 ? readLeb(wasm, min.next) : undefined;
      const limitsEnd = max ? max.next : min.next;
      const maxPages = Math.max(min.value, Math.floor(maxBytes / PAGE));
      const content = [
        ...writeLeb(1),
        1,
        ...writeLeb(min.value),
        ...writeLeb(maxPages),
        ...wasm.subarray(limitsEnd, contentEnd),
      ];
      const section = [MEMORY_SECTION, ...writeLeb(content.length), ...content];
      const bytes = new Uint8Array(offset + section.length + (wasm.length - contentEnd));
      bytes.set(wasm.subarray(0, offset), 0);
      bytes.set(section, offset);
      bytes.set(wasm.subarray(contentEnd), offset + section.length);
      return { bytes, before: { minPages: min.value, maxPages: max?.value } };
    }
    offset = contentEnd;
  }
  throw new Error('the wasm binary defines no memory');
}
