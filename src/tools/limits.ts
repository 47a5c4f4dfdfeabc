// Size caps shared by the file, text, process and network tools, and the truncation marker they add.

/** Largest file read_file and the text tools will open (SMOLTRACE's cap). */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
/** Largest observation a tool hands back to the model; longer output is cut with a marker. */
export const MAX_OUTPUT_BYTES = 100 * 1024;
/** Largest `content` write_file accepts. */
export const MAX_WRITE_BYTES = 10 * 1024 * 1024;

/** `text` cut to at most `maxBytes` UTF-8 bytes (never mid-character), with a marker saying how much was dropped. */
export function capOutput(text: string, maxBytes = MAX_OUTPUT_BYTES, hint = ''): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  const head = bytes.subarray(0, maxBytes).toString('utf8').replace(/\uFFFD+$/, '');
  const shown = Buffer.byteLength(head);
  return `${head}\n... [output truncated: showing the first ${shown} of ${bytes.length} bytes${hint ? `; ${hint}` : ''}]`;
}

/** Human-readable byte count used in error messages ("10 MiB", "1.5 KiB", "12 bytes"). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}
