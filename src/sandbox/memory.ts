/**
 * Resident memory of a sandbox process and its descendants (the wrapper, then Node), read from Linux's /proc by
 * the harness: the sandbox cannot lie about it. Elsewhere there is no reading, and only the interpreter's
 * WebAssembly memory cap applies.
 */
import fs from 'node:fs';

const PAGE_BYTES = 4096;

function children(pid: number): number[] {
  try {
    const text = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return text ? text.split(' ').map(Number) : [];
  } catch {
    return [];
  }
}

function residentBytes(pid: number): number {
  try {
    // statm: size resident shared text lib data dt (in pages)
    const fields = fs.readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ');
    return Number(fields[1]) * PAGE_BYTES;
  } catch {
    return 0;
  }
}

export const canMeasureMemory = (): boolean => process.platform === 'linux' && fs.existsSync('/proc/self/statm');

/** Resident bytes of `pid` and every process below it (0 once it is gone). */
export function treeResidentBytes(pid: number): number {
  let total = 0;
  const pending = [pid];
  for (let guard = 0; pending.length > 0 && guard < 64; guard++) {
    const next = pending.pop()!;
    total += residentBytes(next);
    pending.push(...children(next));
  }
  return total;
}
