/**
 * SQL over runs with DuckDB (`@duckdb/node-api`, an optional dependency imported only here): the
 * tables are written as JSON Lines to a temporary folder and read with DuckDB's JSON reader, which
 * infers nested columns as real LISTs and STRUCTs. Nothing outside the temporary folder is written.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, StartupError } from '../errors.js';
import type { LoadedRun } from '../report/run-reader.js';
import { EMPTY_TABLE_COLUMNS, KNOWN_COLUMN_TYPES, queryTables, type QueryTables } from './tables.js';

export interface QueryResult {
  columns: string[];
  types: string[];
  /** Plain JSON values: integers as numbers (as text past 2^53), lists and structs nested. */
  rows: Record<string, unknown>[];
}

type DuckDb = typeof import('@duckdb/node-api');

async function loadDuckDb(): Promise<DuckDb> {
  try {
    return await import('@duckdb/node-api');
  } catch (error) {
    throw new StartupError(`agent-eval query needs the optional dependency @duckdb/node-api, which is not installed (${(error as Error).message.split('\n')[0]}): npm install @duckdb/node-api`);
  }
}

/** DuckDB's JavaScript values as plain JSON values. */
export function plainValue(value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(plainValue);
  if (value instanceof Map) return Object.fromEntries([...value.entries()].map(([key, item]) => [String(key), plainValue(item)]));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plainValue(item)]));
  return value;
}

const quoted = (text: string) => `'${text.replace(/'/g, "''")}'`;

export async function queryRuns(sql: string, runs: readonly LoadedRun[]): Promise<QueryResult> {
  const duckdb = await loadDuckDb();
  const folder = await mkdtemp(join(tmpdir(), 'agent-eval-query-'));
  const instance = await duckdb.DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const tables = queryTables(runs);
    for (const name of Object.keys(tables) as (keyof QueryTables)[]) {
      const rows = tables[name];
      if (!rows.length) {
        await connection.run(`CREATE TABLE ${name} (${EMPTY_TABLE_COLUMNS[name]})`);
        continue;
      }
      const path = join(folder, `${name}.jsonl`);
      // Nanosecond bigints from Hub Parquet files become numbers, as traces.json's are when parsed.
      await writeFile(path, rows.map((row) => JSON.stringify(row, (_key, value: unknown) => (typeof value === 'bigint' ? Number(value) : value))).join('\n'));
      const source = `read_json(${quoted(path)}, format = 'newline_delimited', sample_size = -1, maximum_depth = -1)`;
      const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
      const casts = described
        .getRowObjectsJS()
        .filter((column) => column.column_type === 'JSON' && KNOWN_COLUMN_TYPES[String(column.column_name)])
        .map((column) => `TRY_CAST(json_extract_string("${String(column.column_name)}", '$') AS ${KNOWN_COLUMN_TYPES[String(column.column_name)]}) AS "${String(column.column_name)}"`);
      await connection.run(`CREATE TABLE ${name} AS SELECT * ${casts.length ? `REPLACE (${casts.join(', ')})` : ''} FROM ${source}`);
    }
    let reader;
    try {
      reader = await connection.runAndReadAll(sql);
    } catch (error) {
      throw new InputError(`query: ${(error as Error).message.split('\n')[0]}`);
    }
    const rows = (await reader.getRowObjectsJS()).map((row) => plainValue(row) as Record<string, unknown>);
    return { columns: reader.columnNames(), types: reader.columnTypes().map(String), rows };
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(folder, { recursive: true, force: true });
  }
}
