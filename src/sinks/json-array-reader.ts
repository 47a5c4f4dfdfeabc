/**
 * The elements of a top-level JSON array in a file, one at a time, without reading the file whole
 * (results.json and traces.json of a large run are hundreds of megabytes). A small scanner finds
 * where each element starts and ends (strings, escapes and nesting); JSON.parse parses each element.
 * Structural characters are ASCII and never occur inside a UTF-8 multi-byte sequence, so bytes are
 * scanned directly.
 */
import { open } from 'node:fs/promises';

const CHUNK_BYTES = 1 << 20;
const [QUOTE, BACKSLASH, COMMA, OPEN_SQUARE, CLOSE_SQUARE, OPEN_CURLY, CLOSE_CURLY] = [0x22, 0x5c, 0x2c, 0x5b, 0x5d, 0x7b, 0x7d];
const isSpace = (byte: number) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

/** A file that is not one JSON array: `message` says where (byte offset or element number). */
export class JsonArrayError extends Error {
  override readonly name = 'JsonArrayError';
}

/** Each element's JSON text, in order. Throws JsonArrayError when the file is not a JSON array. */
export async function* jsonArrayElementTexts(path: string): AsyncGenerator<string> {
  const handle = await open(path, 'r');
  try {
    // before: before '['; between: after '[' or ',' (an element or ']' expected); inside: in an element;
    // after: after an element (',' or ']' expected); done: after the closing ']'.
    let state: 'before' | 'between' | 'inside' | 'after' | 'done' = 'before';
    let depth = 0;
    let inString = false;
    let escaped = false;
    let pieces: Buffer[] = [];
    let position = 0;
    let elements = 0;
    const fail = (what: string, at: number): never => {
      throw new JsonArrayError(`${what} at byte ${at}`);
    };
    // One buffer for every chunk: what outlives a chunk is copied out of it.
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, position);
      if (!bytesRead) break;
      const chunk = buffer.subarray(0, bytesRead);
      let elementStart = state === 'inside' ? 0 : -1;
      for (let index = 0; index < chunk.length; index++) {
        const byte = chunk[index]!;
        if (state === 'inside') {
          if (inString) {
            if (escaped) escaped = false;
            else if (byte === BACKSLASH) escaped = true;
            else if (byte === QUOTE) inString = false;
            continue;
          }
          if (byte === QUOTE) inString = true;
          else if (byte === OPEN_CURLY || byte === OPEN_SQUARE) depth++;
          else if ((byte === CLOSE_CURLY || byte === CLOSE_SQUARE) && depth > 0) depth--;
          else if (depth === 0 && (byte === COMMA || byte === CLOSE_SQUARE || isSpace(byte))) {
            pieces.push(chunk.subarray(elementStart, index));
            yield Buffer.concat(pieces).toString('utf8');
            elements++;
            pieces = [];
            elementStart = -1;
            state = byte === COMMA ? 'between' : byte === CLOSE_SQUARE ? 'done' : 'after';
          }
          continue;
        }
        if (isSpace(byte)) continue;
        if (state === 'before') {
          if (byte !== OPEN_SQUARE) fail('expected [', position + index);
          state = 'between';
        } else if (state === 'between') {
          if (byte === CLOSE_SQUARE && elements === 0) state = 'done';
          else if (byte === COMMA || byte === CLOSE_SQUARE) fail('expected a value', position + index);
          else {
            state = 'inside';
            elementStart = index;
            depth = byte === OPEN_CURLY || byte === OPEN_SQUARE ? 1 : 0;
            inString = byte === QUOTE;
          }
        } else if (state === 'after') {
          if (byte === COMMA) state = 'between';
          else if (byte === CLOSE_SQUARE) state = 'done';
          else fail('expected , or ]', position + index);
        } else fail('unexpected text after the array', position + index);
      }
      // Copied: a subarray would pin the whole chunk.
      if (state === 'inside') pieces.push(Buffer.from(chunk.subarray(elementStart)));
      position += bytesRead;
    }
    if ((state as string) !== 'done') fail('unexpected end of the file', position);
  } finally {
    await handle.close();
  }
}

/** Each element parsed, with its index; a parse error names the element. */
export async function* jsonArrayElements(path: string, parse: (text: string) => unknown = JSON.parse): AsyncGenerator<unknown> {
  let index = 0;
  for await (const text of jsonArrayElementTexts(path)) {
    try {
      yield parse(text);
    } catch (error) {
      throw new JsonArrayError(`element ${index + 1}: ${error instanceof Error ? error.message : String(error)}`);
    }
    index++;
  }
}
