/**
 * The column types agent-eval writes to Parquet, as a small type language: scalars, `{ list }` and
 * `{ struct }`. Each type maps to one Parquet schema subtree (three-level LISTs, OPTIONAL everywhere,
 * UTC timestamps in microseconds), so `pyarrow` reads `list<struct<...>>`, `timestamp[us, tz=UTC]`
 * and `int64`, and every file written from the same declared types has the same Arrow schema.
 * `json` is a string leaf holding JSON text: the place for free-form values (tool arguments, span
 * attributes) whose keys vary from run to run and must not become struct fields.
 */
import type { SchemaElement } from 'hyparquet';

export type ParquetScalarType = 'string' | 'int64' | 'double' | 'boolean' | 'json' | 'timestamp';

export type ParquetColumnType =
  | ParquetScalarType
  | { readonly list: ParquetColumnType }
  | { readonly struct: Readonly<Record<string, ParquetColumnType>> };

export interface ParquetColumnSpec {
  name: string;
  type: ParquetColumnType;
}

export const isListType = (type: ParquetColumnType): type is { readonly list: ParquetColumnType } => typeof type === 'object' && 'list' in type;
export const isStructType = (type: ParquetColumnType): type is { readonly struct: Readonly<Record<string, ParquetColumnType>> } =>
  typeof type === 'object' && 'struct' in type;

/** Schema elements of one column (or struct field), depth first. */
export function schemaElements(name: string, type: ParquetColumnType): SchemaElement[] {
  const repetition_type = 'OPTIONAL' as const;
  if (isListType(type)) {
    return [
      { name, repetition_type, num_children: 1, converted_type: 'LIST', logical_type: { type: 'LIST' } },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      ...schemaElements('element', type.list),
    ];
  }
  if (isStructType(type)) {
    const fields = Object.entries(type.struct);
    return [{ name, repetition_type, num_children: fields.length }, ...fields.flatMap(([field, fieldType]) => schemaElements(field, fieldType))];
  }
  switch (type) {
    case 'string':
    case 'json':
      return [{ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' }, repetition_type }];
    case 'int64':
      return [{ name, type: 'INT64', repetition_type }];
    case 'double':
      return [{ name, type: 'DOUBLE', repetition_type }];
    case 'boolean':
      return [{ name, type: 'BOOLEAN', repetition_type }];
    case 'timestamp':
      return [{ name, type: 'INT64', converted_type: 'TIMESTAMP_MICROS', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' }, repetition_type }];
  }
}

/** The whole file schema: a root with the columns. */
export function fileSchema(columns: readonly ParquetColumnSpec[]): SchemaElement[] {
  return [{ name: 'root', num_children: columns.length }, ...columns.flatMap((column) => schemaElements(column.name, column.type))];
}

/** A readable type for cards and messages: `list<struct<name: string, arguments: string (JSON)>>`. */
export function describeParquetType(type: ParquetColumnType): string {
  if (isListType(type)) return `list<${describeParquetType(type.list)}>`;
  if (isStructType(type)) return `struct<${Object.entries(type.struct).map(([field, fieldType]) => `${field}: ${describeParquetType(fieldType)}`).join(', ')}>`;
  return { string: 'string', json: 'string (JSON)', int64: 'int64', double: 'double', boolean: 'bool', timestamp: 'timestamp[us, UTC]' }[type];
}

export const jsonText = (value: unknown) => JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item));

/**
 * A JS value as the writer wants it for `type` (BigInt for int64, Date for timestamps, JSON text for
 * json leaves, plain objects and arrays for structs and lists). `where` names the value in errors.
 */
export function toParquetValue(value: unknown, type: ParquetColumnType, where: string): unknown {
  if (value === null || value === undefined) return null;
  const fail = (): never => {
    throw new TypeError(`Parquet ${where} (${describeParquetType(type)}): cannot store ${typeof value} ${jsonText(value)?.slice(0, 80)}`);
  };
  if (isListType(type)) {
    if (!Array.isArray(value)) return fail();
    return value.map((item, index) => toParquetValue(item, type.list, `${where}[${index}]`));
  }
  if (isStructType(type)) {
    if (typeof value !== 'object' || Array.isArray(value)) return fail();
    const source = value as Record<string, unknown>;
    return Object.fromEntries(Object.entries(type.struct).map(([field, fieldType]) => [field, toParquetValue(source[field], fieldType, `${where}.${field}`)]));
  }
  switch (type) {
    case 'string':
      if (typeof value === 'string') return value;
      if (value instanceof Date) return value.toISOString();
      return typeof value === 'object' ? jsonText(value) : String(value);
    case 'json':
      return jsonText(value instanceof Date ? value.toISOString() : value);
    case 'int64':
      if (typeof value === 'bigint') return value;
      if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
      return typeof value === 'string' && /^-?\d+$/.test(value) ? BigInt(value) : fail();
    case 'double':
      if (typeof value === 'number') return value;
      return typeof value === 'bigint' ? Number(value) : fail();
    case 'boolean':
      return typeof value === 'boolean' ? value : fail();
    case 'timestamp': {
      const date = value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : fail();
      return Number.isNaN(date.getTime()) ? fail() : date;
    }
  }
}

/** The inverse for reading: JSON leaves parsed, timestamps as ISO text, safe int64 as numbers. */
export function fromParquetValue(value: unknown, type: ParquetColumnType | undefined, parseJson: boolean): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => fromParquetValue(item, type && isListType(type) ? type.list : undefined, parseJson));
  if (typeof value === 'object' && !(value instanceof Uint8Array)) {
    const fields = type && isStructType(type) ? type.struct : undefined;
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fromParquetValue(item, fields?.[key], parseJson)]));
  }
  if (parseJson && type === 'json' && typeof value === 'string') return JSON.parse(value);
  return value;
}
