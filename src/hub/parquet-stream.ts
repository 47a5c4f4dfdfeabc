/**
 * Parquet from a streamed source of rows, for files larger than memory (a 100,000-task run's
 * results): one pass learns the columns (names in first-seen order, kinds of undeclared columns),
 * a second writes row groups of `rowGroupSize` rows with hyparquet-writer's parquetWriteRows, each
 * flushed to a file before the next is encoded. Same schema and footer as writeParquet.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { ByteWriter, parquetWriteRows } from 'hyparquet-writer';
import { fileSchema, toParquetValue, type ParquetColumnSpec, type ParquetColumnType } from './parquet-schema.js';
import { CREATED_BY, footerMetadata, kindOf, typeFromKinds, type ParquetRow, type ValueKind, type WriteParquetOptions } from './parquet.js';

/** Rows that can be read more than once, one at a time; `count` rows in all. */
export interface HubRowSource {
  count: number;
  rows(): AsyncIterable<ParquetRow>;
}

/** Rows in memory, or a streamed source. */
export type HubRows = readonly ParquetRow[] | HubRowSource;

/** A source over rows in memory (or the source itself). */
export function rowSource(rows: HubRows): HubRowSource {
  if (!Array.isArray(rows)) return rows as HubRowSource;
  const array = rows as readonly ParquetRow[];
  return {
    count: array.length,
    rows: async function* () {
      yield* array;
    },
  };
}

/** Rows per row group: bounded memory while writing, and row groups that readers page through. */
export const STREAM_ROW_GROUP_SIZE = 1000;

/** inferParquetColumns over a streamed source: one pass, keeping only the kinds seen per undeclared column. */
export async function inferStreamedColumns(source: HubRowSource, options: WriteParquetOptions = {}): Promise<ParquetColumnSpec[]> {
  const kinds = new Map<string, Set<ValueKind>>();
  for (const name of options.columns ?? []) kinds.set(name, new Set());
  for await (const row of source.rows()) {
    for (const [name, value] of Object.entries(row)) {
      let seen = kinds.get(name);
      if (!seen) kinds.set(name, (seen = new Set()));
      if (value !== null && value !== undefined && !options.types?.[name]) seen.add(kindOf(value));
    }
  }
  return [...kinds].map(([name, seen]): ParquetColumnSpec => ({ name, type: options.types?.[name] ?? (typeFromKinds(seen) as ParquetColumnType) }));
}

/** hyparquet-writer's ByteWriter whose bytes go to a file after each row group (and at the end). */
function fileByteWriter(handle: FileHandle): ByteWriter & { flush(): Promise<void> } {
  const writer = new ByteWriter(1 << 20) as ByteWriter & { flush(): Promise<void> };
  const flush = async () => {
    if (!writer.index) return;
    // Copied: the buffer is reused for the next row group once index is reset.
    const bytes = Buffer.from(new Uint8Array(writer.buffer, 0, writer.index));
    writer.index = 0;
    await handle.write(bytes);
  };
  writer.flush = flush;
  writer.finish = flush;
  return writer;
}

/** The source's rows with each column's value in Parquet's shape (toParquetValue), one at a time. */
async function* parquetShapedRows(source: HubRowSource, columns: readonly ParquetColumnSpec[]): AsyncGenerator<Record<string, unknown>> {
  let number = 0;
  for await (const row of source.rows()) {
    number++;
    const shaped: Record<string, unknown> = {};
    for (const column of columns) shaped[column.name] = toParquetValue(row[column.name], column.type, `column '${column.name}', row ${number}`);
    yield shaped;
  }
}

/**
 * Writes the source's rows as one Parquet file at `path` (SNAPPY), `columns` as inferStreamedColumns
 * gave them, with hyparquet-writer's parquetWriteRows: rows are pulled one row group at a time and
 * each group is flushed to the file before the next is read.
 */
export async function writeParquetFile(
  path: string,
  source: HubRowSource,
  columns: readonly ParquetColumnSpec[],
  options: { metadata?: Readonly<Record<string, string>>; rowGroupSize?: number } = {},
): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await parquetWriteRows({
      writer: fileByteWriter(handle),
      rows: parquetShapedRows(source, columns),
      columns: columns.map((column) => ({ name: column.name })),
      schema: fileSchema(columns),
      rowGroupSize: options.rowGroupSize ?? STREAM_ROW_GROUP_SIZE,
      kvMetadata: footerMetadata(columns, options.metadata),
      createdBy: CREATED_BY,
    });
  } finally {
    await handle.close();
  }
}
