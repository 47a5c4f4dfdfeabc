/** Query results as console lines: an aligned table, a JSON array of row objects, or CSV (RFC 4180). */
import type { QueryResult } from './database.js';

const CELL_LIMIT = 80;

function textOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function formatRows(result: QueryResult, format: 'table' | 'json' | 'csv'): string[] {
  if (format === 'json') return [JSON.stringify(result.rows, null, 2)];
  if (format === 'csv') return [result.columns.map(csvField).join(','), ...result.rows.map((row) => result.columns.map((column) => csvField(textOf(row[column]))).join(','))];
  const cells = result.rows.map((row) =>
    result.columns.map((column) => {
      const text = textOf(row[column]).replace(/\s+/g, ' ');
      return text.length > CELL_LIMIT ? `${text.slice(0, CELL_LIMIT - 3)}...` : text;
    }),
  );
  const widths = result.columns.map((column, index) => Math.max(column.length, ...cells.map((row) => row[index]!.length)));
  const line = (values: string[]) => values.map((value, index) => value.padEnd(widths[index]!)).join(' | ').trimEnd();
  return [line(result.columns), widths.map((width) => '-'.repeat(width)).join('-+-'), ...cells.map(line), `(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})`];
}
