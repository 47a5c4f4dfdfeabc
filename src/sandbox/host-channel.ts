/**
 * The sandbox process's end of its channel to the harness: blocking reads and writes of JSON lines on file
 * descriptor 3 (the child's end of a socket pair, which stays in blocking mode). Reads block the process, which is
 * what a synchronous tool call from Python needs, and between steps there is nothing else for it to do.
 */
import fs from 'node:fs';
import { CHANNEL_FD, type HarnessToProcess, type ProcessToHarness } from './protocol.js';

const CHUNK = 1 << 16;

export class HostChannel {
  private pending = '';
  private readonly buffer = Buffer.alloc(CHUNK);
  private readonly decoder = new TextDecoder();

  send(message: ProcessToHarness): void {
    const bytes = Buffer.from(`${JSON.stringify(message)}\n`);
    let offset = 0;
    while (offset < bytes.length) offset += fs.writeSync(CHANNEL_FD, bytes, offset, bytes.length - offset);
  }

  /** The next message from the harness; throws when the harness has closed the channel. */
  receive(): HarnessToProcess {
    for (;;) {
      const newline = this.pending.indexOf('\n');
      if (newline >= 0) {
        const line = this.pending.slice(0, newline);
        this.pending = this.pending.slice(newline + 1);
        return JSON.parse(line) as HarnessToProcess;
      }
      const read = fs.readSync(CHANNEL_FD, this.buffer, 0, CHUNK, null);
      if (read === 0) throw new Error('the harness closed the channel');
      this.pending += this.decoder.decode(this.buffer.subarray(0, read), { stream: true });
    }
  }
}
