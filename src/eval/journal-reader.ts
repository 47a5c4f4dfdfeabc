/**
 * Reading a journal without holding it: its lines one at a time (with their byte offsets), and the
 * records at known offsets in a given order. A run keeps only where each task's last line lies;
 * results.json, traces.json and the programmatic API read the rows back from here.
 */
import { open } from 'node:fs/promises';

/** Where one line lies in the journal: byte offset and length (without the newline). */
export interface JournalRecordAt {
  offset: number;
  length: number;
}

export interface JournalLine extends JournalRecordAt {
  text: string;
  /** False for a last line without its newline (cut short by a crash or a full disk). */
  complete: boolean;
}

const CHUNK_BYTES = 1 << 20;
const NEWLINE = 0x0a;

/** The file's lines in order, read in 1 MiB chunks; a line longer than a chunk is assembled from several. */
export async function* journalLines(path: string): AsyncGenerator<JournalLine> {
  const handle = await open(path, 'r');
  try {
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let lineStart = 0;
    let position = 0;
    // One buffer for every chunk: what outlives a chunk is copied out of it.
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, position);
      if (!bytesRead) break;
      position += bytesRead;
      const chunk = buffer.subarray(0, bytesRead);
      let start = 0;
      for (let newline = chunk.indexOf(NEWLINE, 0); newline !== -1; newline = chunk.indexOf(NEWLINE, start)) {
        const piece = chunk.subarray(start, newline);
        const bytes = pending.length ? Buffer.concat([...pending, piece]) : piece;
        yield { text: bytes.toString('utf8'), offset: lineStart, length: pendingBytes + piece.length, complete: true };
        lineStart += pendingBytes + piece.length + 1;
        pending = [];
        pendingBytes = 0;
        start = newline + 1;
      }
      if (start < bytesRead) {
        // Copied: a subarray would pin the whole 1 MiB chunk.
        const rest = Buffer.from(chunk.subarray(start));
        pending.push(rest);
        pendingBytes += rest.length;
      }
    }
    if (pendingBytes) yield { text: Buffer.concat(pending).toString('utf8'), offset: lineStart, length: pendingBytes, complete: false };
  } finally {
    await handle.close();
  }
}

/**
 * The JSON records at `places`, in the order given, each read with one positional read. Consecutive
 * places are read together (up to 1 MiB at a time), so a journal in order is read almost sequentially.
 */
export async function* journalRecords<T = unknown>(path: string, places: readonly JournalRecordAt[]): AsyncGenerator<T> {
  if (!places.length) return;
  const handle = await open(path, 'r');
  try {
    let buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    for (let first = 0; first < places.length; ) {
      // A run of places that follow each other in the file, read in one go.
      let last = first;
      let end = places[first]!.offset + places[first]!.length;
      while (last + 1 < places.length && places[last + 1]!.offset === end + 1 && places[last + 1]!.offset + places[last + 1]!.length - places[first]!.offset <= CHUNK_BYTES) {
        last++;
        end = places[last]!.offset + places[last]!.length;
      }
      const start = places[first]!.offset;
      const size = end - start;
      if (size > buffer.length) buffer = Buffer.allocUnsafe(size);
      const { bytesRead } = await handle.read(buffer, 0, size, start);
      if (bytesRead < size) throw new Error(`${path}: the journal is shorter than the run recorded (a line at byte ${start} is missing)`);
      for (let index = first; index <= last; index++) {
        const place = places[index]!;
        yield JSON.parse(buffer.toString('utf8', place.offset - start, place.offset - start + place.length)) as T;
      }
      first = last + 1;
    }
  } finally {
    await handle.close();
  }
}

/**
 * Where each task's last journal line lies, kept in growable typed arrays (20 bytes per task) rather
 * than an object per task; `ordered()` lists the places in test_index order once the run is over.
 */
export class JournalPlaces {
  private testIndexes = new Float64Array(1024);
  private offsets = new Float64Array(1024);
  private lengths = new Uint32Array(1024);
  private used = 0;

  get size(): number {
    return this.used;
  }

  add(testIndex: number, at: JournalRecordAt): void {
    if (this.used === this.offsets.length) {
      const grow = <T extends Float64Array | Uint32Array>(array: T): T => {
        const bigger = new (array.constructor as new (length: number) => T)(array.length * 2);
        bigger.set(array);
        return bigger;
      };
      this.testIndexes = grow(this.testIndexes);
      this.offsets = grow(this.offsets);
      this.lengths = grow(this.lengths);
    }
    this.testIndexes[this.used] = testIndex;
    this.offsets[this.used] = at.offset;
    this.lengths[this.used] = at.length;
    this.used++;
  }

  /** The places in test_index order (ties in the order added). */
  ordered(): JournalRecordAt[] {
    const slots = Array.from({ length: this.used }, (_, slot) => slot);
    slots.sort((left, right) => this.testIndexes[left]! - this.testIndexes[right]! || left - right);
    return slots.map((slot) => ({ offset: this.offsets[slot]!, length: this.lengths[slot]! }));
  }
}
