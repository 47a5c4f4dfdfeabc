/** Splits a byte stream into lines, refusing any line longer than `maxBytes` (the rest is never buffered). */
export class LineReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private overflowed = false;

  constructor(
    private readonly maxBytes: number,
    private readonly onLine: (line: string) => void,
    private readonly onOverflow: (bytes: number) => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.overflowed) return;
    let start = 0;
    for (let newline = chunk.indexOf(10, start); newline >= 0; newline = chunk.indexOf(10, start)) {
      const part = chunk.subarray(start, newline);
      if (this.buffered + part.length > this.maxBytes) return this.overflow(this.buffered + part.length);
      const line = Buffer.concat([...this.chunks, part]).toString('utf8');
      this.chunks = [];
      this.buffered = 0;
      start = newline + 1;
      if (line.trim()) this.onLine(line.replace(/\r$/, ''));
      if (this.overflowed) return;
    }
    const rest = chunk.subarray(start);
    if (this.buffered + rest.length > this.maxBytes) return this.overflow(this.buffered + rest.length);
    if (rest.length) {
      this.chunks.push(Buffer.from(rest));
      this.buffered += rest.length;
    }
  }

  /** Stops reading: later chunks are ignored. */
  stop(): void {
    this.overflowed = true;
    this.chunks = [];
  }

  private overflow(bytes: number): void {
    this.stop();
    this.onOverflow(bytes);
  }
}
