/**
 * Rows <-> Parquet. Writing uses hyparquet-writer with an explicit schema built from declared column
 * types (parquet-schema.ts: scalars, lists, structs, UTC timestamps); columns without a declared
 * type are inferred as scalars (string, int64, double, boolean), and nested or mixed values in an
 * undeclared column become JSON text. Every column is nullable. The declared types are kept in the
 * footer (`agent_eval.column_types`) so a reader gets them back exactly. Reading uses hyparquet
 * (SNAPPY built in; GZIP, BROTLI and, where Node has it, ZSTD through node:zlib).
 */
import * as zlib from 'node:zlib';
import { parquetMetadata, parquetReadObjects, type Compressors, type SchemaElement } from 'hyparquet';
import { parquetWriteBuffer, type ColumnSource } from 'hyparquet-writer';
import { fileSchema, fromParquetValue, toParquetValue, type ParquetColumnSpec, type ParquetColumnType } from './parquet-schema.js';

export type { ParquetColumnSpec, ParquetColumnType, ParquetScalarType } from './parquet-schema.js';

export interface WriteParquetOptions {
  /** Types for named columns, overriding inference (nested columns need one: lists and structs are never inferred). */
  types?: Readonly<Record<string, ParquetColumnType>>;
  /** Columns written first, in this order, even when no row has them (then all null). */
  columns?: readonly string[];
  /** Extra key/value metadata in the file footer. */
  metadata?: Readonly<Record<string, string>>;
}

export interface ReadParquetOptions {
  /** Parse the JSON-text leaves this module wrote (top-level or nested) back into values; default false. */
  parseJson?: boolean;
}

export type ParquetRow = Record<string, unknown>;

/** Footer key listing the top-level columns written as JSON text (kept for older readers). */
export const JSON_COLUMNS_KEY = 'agent_eval.json_columns';
/** Footer key holding the declared column types (ParquetColumnSpec[] as JSON). */
export const COLUMN_TYPES_KEY = 'agent_eval.column_types';

export type ValueKind = 'boolean' | 'integer' | 'float' | 'string' | 'nested';
type Kind = ValueKind;

export function kindOf(value: unknown): Kind {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'bigint') return 'integer';
  if (typeof value === 'number') return Number.isSafeInteger(value) ? 'integer' : 'float';
  if (typeof value === 'string' || value instanceof Date) return 'string';
  return 'nested';
}

/** A type for a column without a declared one: scalars by their values, anything nested as JSON text. */
function inferType(values: Iterable<unknown>): ParquetColumnType {
  const kinds = new Set<Kind>();
  for (const value of values) if (value !== null && value !== undefined) kinds.add(kindOf(value));
  return typeFromKinds(kinds);
}

/** The type of a column whose (non-null) values had these kinds. */
export function typeFromKinds(kinds: ReadonlySet<Kind>): ParquetColumnType {
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

/** The columns' values for rows `first`.. (numbered from `first + 1` in errors), in Parquet's shape. */
export function columnSources(columns: readonly ParquetColumnSpec[], rows: readonly ParquetRow[], first = 0): ColumnSource[] {
  return columns.map((column) => ({
    name: column.name,
    data: rows.map((row, index) => toParquetValue(row[column.name], column.type, `column '${column.name}', row ${first + index + 1}`)) as ColumnSource['data'],
  }));
}

/** The footer's key/value metadata: the caller's, then the declared column types. */
export function footerMetadata(columns: readonly ParquetColumnSpec[], extra: Readonly<Record<string, string>> = {}): { key: string; value: string }[] {
  const jsonColumns = columns.filter((column) => column.type === 'json').map((column) => column.name);
  const metadata = {
    ...extra,
    [COLUMN_TYPES_KEY]: JSON.stringify(columns),
    ...(jsonColumns.length && { [JSON_COLUMNS_KEY]: JSON.stringify(jsonColumns) }),
  };
  return Object.entries(metadata).map(([key, value]) => ({ key, value }));
}

export const CREATED_BY = 'agent-eval (hyparquet-writer)';

/** Writes rows as one Parquet file (SNAPPY); returns its bytes. */
export function writeParquet(rows: readonly ParquetRow[], options: WriteParquetOptions = {}): Uint8Array {
  const columns = inferParquetColumns(rows, options);
  const buffer = parquetWriteBuffer({
    columnData: columnSources(columns, rows),
    schema: fileSchema(columns),
    kvMetadata: footerMetadata(columns, options.metadata),
    createdBy: CREATED_BY,
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

/** The footer's key/value metadata. */
export function parquetFileMetadata(bytes: Uint8Array | ArrayBuffer): Record<string, string> {
  const metadata = parquetMetadata(toArrayBuffer(bytes));
  return Object.fromEntries((metadata.key_value_metadata ?? []).map((entry) => [entry.key, entry.value ?? '']));
}

function scalarFromElement(element: SchemaElement): ParquetColumnType {
  if (element.logical_type?.type === 'TIMESTAMP' || element.converted_type?.startsWith('TIMESTAMP')) return 'timestamp';
  if (element.type === 'INT64' || element.type === 'INT32') return 'int64';
  if (element.type === 'DOUBLE' || element.type === 'FLOAT') return 'double';
  if (element.type === 'BOOLEAN') return 'boolean';
  return 'string';
}

/** Top-level columns and their types: as declared in the footer, else from the Parquet schema. */
export function parquetColumns(bytes: Uint8Array | ArrayBuffer): ParquetColumnSpec[] {
  const footer = parquetFileMetadata(bytes);
  if (footer[COLUMN_TYPES_KEY]) return JSON.parse(footer[COLUMN_TYPES_KEY]) as ParquetColumnSpec[];
  const jsonColumns = new Set<string>(JSON.parse(footer[JSON_COLUMNS_KEY] ?? '[]') as string[]);
  const schema = parquetMetadata(toArrayBuffer(bytes)).schema;
  const subtreeEnd = (index: number): number => {
    let next = index + 1;
    for (let child = 0; child < (schema[index]!.num_children ?? 0); child++) next = subtreeEnd(next);
    return next;
  };
  const specs: ParquetColumnSpec[] = [];
  for (let index = 1; index < schema.length; index = subtreeEnd(index)) {
    const element = schema[index]!;
    specs.push({ name: element.name, type: jsonColumns.has(element.name) || element.num_children ? 'json' : scalarFromElement(element) });
  }
  return specs;
}

/** Reads every row as a plain object (safe int64 as numbers, timestamps as ISO text; JSON leaves parsed with `parseJson`). */
export async function readParquet(bytes: Uint8Array | ArrayBuffer, options: ReadParquetOptions = {}): Promise<ParquetRow[]> {
  const file = toArrayBuffer(bytes);
  const rows = await parquetReadObjects({ file, compressors: COMPRESSORS });
  const footer = parquetFileMetadata(file);
  const declared = footer[COLUMN_TYPES_KEY] ? (JSON.parse(footer[COLUMN_TYPES_KEY]) as ParquetColumnSpec[]) : [];
  const types = new Map<string, ParquetColumnType>(declared.map((column) => [column.name, column.type]));
  for (const name of JSON.parse(footer[JSON_COLUMNS_KEY] ?? '[]') as string[]) if (!types.has(name)) types.set(name, 'json');
  const parseJson = options.parseJson ?? false;
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([name, value]) => [name, fromParquetValue(value, types.get(name), parseJson)])));
}
