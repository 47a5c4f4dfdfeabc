/**
 * Rows <-> Parquet. Writing uses hyparquet-writer with column types inferred from the rows
 * (string, int64 as BigInt, double, boolean); nested values (arrays, objects) and mixed-type columns
 * are written as JSON text in a string column, so the Hub viewer and `datasets` agree on one flat
 * schema. Every column is nullable. Reading uses hyparquet (SNAPPY built in; GZIP, BROTLI and, where
 * Node has it, ZSTD through node:zlib).
 */
import * as zlib from 'node:zlib';
import { parquetMetadata, parquetReadObjects, type Compressors } from 'hyparquet';
import { parquetWriteBuffer, type ColumnSource } from 'hyparquet-writer';

export type ParquetColumnType = 'string' | 'int64' | 'double' | 'boolean' | 'json';

export interface ParquetColumnSpec {
  name: string;
  type: ParquetColumnType;
}

export interface WriteParquetOptions {
  /** Types for named columns, overriding inference (e.g. a double column whose values are all whole). */
  types?: Readonly<Record<string, ParquetColumnType>>;
  /** Columns written first, in this order, even when no row has them (then all null). */
  columns?: readonly string[];
  /** Extra key/value metadata in the file footer. */
  metadata?: Readonly<Record<string, string>>;
}

export interface ReadParquetOptions {
  /** Parse the columns this module wrote as JSON text back into values; default false. */
  parseJson?: boolean;
}

export type ParquetRow = Record<string, unknown>;

/** Footer key listing the columns written as JSON text. */
export const JSON_COLUMNS_KEY = 'agent_eval.json_columns';

type Kind = 'boolean' | 'integer' | 'float' | 'string' | 'nested';

function kindOf(value: unknown): Kind {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'bigint') return 'integer';
  if (typeof value === 'number') return Number.isSafeInteger(value) ? 'integer' : 'float';
  if (typeof value === 'string' || value instanceof Date) return 'string';
  return 'nested';
}

function inferType(values: Iterable<unknown>): ParquetColumnType {
  const kinds = new Set<Kind>();
  for (const value of values) if (value !== null && value !== undefined) kinds.add(kindOf(value));
  if (kinds.size === 0) return 'string';
  if (kinds.has('nested')) return 'json';
  if (kinds.size === 1) {
    const [only] = kinds;
    return only === 'boolean' ? 'boolean' : only === 'integer' ? 'int64' : only === 'float' ? 'double' : 'string';
  }
  if ([...kinds].every((kind) => kind === 'integer' || kind === 'float')) return 'double';
  return 'json';
}

/** Column names in first-seen order (after `columns`), with their types. */
export function inferParquetColumns(rows: readonly ParquetRow[], options: WriteParquetOptions = {}): ParquetColumnSpec[] {
  const names = new Set<string>(options.columns ?? []);
  for (const row of rows) for (const key of Object.keys(row)) names.add(key);
  return [...names].map((name) => ({ name, type: options.types?.[name] ?? inferType(rows.map((row) => row[name])) }));
}

const jsonText = (value: unknown) => JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item));

function convert(value: unknown, column: ParquetColumnSpec, rowIndex: number): unknown {
  if (value === null || value === undefined) return null;
  const fail = (): never => {
    throw new TypeError(`Parquet column '${column.name}' (${column.type}), row ${rowIndex + 1}: cannot store ${typeof value} ${jsonText(value)}`);
  };
  switch (column.type) {
    case 'string':
      if (typeof value === 'string') return value;
      if (value instanceof Date) return value.toISOString();
      return typeof value === 'object' ? jsonText(value) : String(value);
    case 'json':
      return jsonText(value instanceof Date ? value.toISOString() : value);
    case 'int64':
      if (typeof value === 'bigint') return value;
      return typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : fail();
    case 'double':
      if (typeof value === 'number') return value;
      return typeof value === 'bigint' ? Number(value) : fail();
    case 'boolean':
      return typeof value === 'boolean' ? value : fail();
  }
}

const WRITER_TYPES = { string: 'STRING', json: 'STRING', int64: 'INT64', double: 'DOUBLE', boolean: 'BOOLEAN' } as const;

/** Writes rows as one Parquet file (SNAPPY); returns its bytes. */
export function writeParquet(rows: readonly ParquetRow[], options: WriteParquetOptions = {}): Uint8Array {
  const columns = inferParquetColumns(rows, options);
  const columnData: ColumnSource[] = columns.map((column) => ({
    name: column.name,
    type: WRITER_TYPES[column.type],
    nullable: true,
    data: rows.map((row, index) => convert(row[column.name], column, index)) as ColumnSource['data'],
  }));
  const jsonColumns = columns.filter((column) => column.type === 'json').map((column) => column.name);
  const metadata = { ...options.metadata, ...(jsonColumns.length && { [JSON_COLUMNS_KEY]: JSON.stringify(jsonColumns) }) };
  const buffer = parquetWriteBuffer({
    columnData,
    kvMetadata: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    createdBy: 'agent-eval (hyparquet-writer)',
  });
  return new Uint8Array(buffer);
}

const COMPRESSORS: Compressors = {
  GZIP: (input) => new Uint8Array(zlib.gunzipSync(input)),
  BROTLI: (input) => new Uint8Array(zlib.brotliDecompressSync(input)),
};
const zstd = (zlib as unknown as { zstdDecompressSync?: (input: Uint8Array) => Buffer }).zstdDecompressSync;
if (zstd) COMPRESSORS.ZSTD = (input) => new Uint8Array(zstd(input));

function toArrayBuffer(bytes: Uint8Array | ArrayBuffer): ArrayBuffer {
  if (bytes instanceof ArrayBuffer) return bytes;
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** bigint -> number when safe (kept as bigint otherwise), Date -> ISO text, recursively. */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item)]));
  }
  return value;
}

/** The footer's key/value metadata. */
export function parquetFileMetadata(bytes: Uint8Array | ArrayBuffer): Record<string, string> {
  const metadata = parquetMetadata(toArrayBuffer(bytes));
  return Object.fromEntries((metadata.key_value_metadata ?? []).map((entry) => [entry.key, entry.value ?? '']));
}

/** Top-level columns and their types as written (json columns from the footer list). */
export function parquetColumns(bytes: Uint8Array | ArrayBuffer): ParquetColumnSpec[] {
  const metadata = parquetMetadata(toArrayBuffer(bytes));
  const jsonColumns = new Set<string>(JSON.parse(parquetFileMetadata(bytes)[JSON_COLUMNS_KEY] ?? '[]') as string[]);
  const specs: ParquetColumnSpec[] = [];
  const schema = metadata.schema;
  const subtreeEnd = (index: number): number => {
    let next = index + 1;
    for (let child = 0; child < (schema[index]!.num_children ?? 0); child++) next = subtreeEnd(next);
    return next;
  };
  for (let index = 1; index < schema.length; index = subtreeEnd(index)) {
    const element = schema[index]!;
    const physical = element.type;
    let type: ParquetColumnType = 'string';
    if (jsonColumns.has(element.name) || element.num_children) type = 'json';
    else if (physical === 'INT64' || physical === 'INT32') type = 'int64';
    else if (physical === 'DOUBLE' || physical === 'FLOAT') type = 'double';
    else if (physical === 'BOOLEAN') type = 'boolean';
    specs.push({ name: element.name, type });
  }
  return specs;
}

/** Reads every row as a plain object (safe int64 as numbers; JSON columns parsed with `parseJson`). */
export async function readParquet(bytes: Uint8Array | ArrayBuffer, options: ReadParquetOptions = {}): Promise<ParquetRow[]> {
  const file = toArrayBuffer(bytes);
  const rows = await parquetReadObjects({ file, compressors: COMPRESSORS });
  const jsonColumns: string[] = options.parseJson ? (JSON.parse(parquetFileMetadata(file)[JSON_COLUMNS_KEY] ?? '[]') as string[]) : [];
  return rows.map((row) => {
    const result = plain({ ...row }) as ParquetRow;
    for (const name of jsonColumns) {
      const text = result[name];
      if (typeof text === 'string') result[name] = JSON.parse(text);
    }
    return result;
  });
}
