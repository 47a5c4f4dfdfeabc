// Parquet from streamed rows (a large run's results): the same columns and rows as writeParquet,
// in several row groups, read back with hyparquet.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetMetadata } from 'hyparquet';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inferStreamedColumns, rowSource, writeParquetFile, type HubRowSource } from '../../src/hub/parquet-stream.js';
import { inferParquetColumns, parquetColumns, parquetFileMetadata, readParquet, writeParquet } from '../../src/hub/parquet.js';
import { RESULTS_TYPES } from '../../src/hub/columns.js';

const rows = [
  { id: 'a', n: 1, x: 0.5, ok: true, tags: ['t1', 't2'], meta: { k: 1 }, maybe: null, mixed: 1, when: new Date('2026-01-02T03:04:05Z') },
  { id: 'b', n: 2, x: 2, ok: false, tags: [], meta: null, maybe: null, mixed: 'one', when: null },
  { id: null, n: null, x: null, ok: null, tags: null, meta: { k: [1, 2] }, maybe: null, mixed: null, when: null, extra: 'late' },
  { id: 'd', n: 4, x: 1.25, ok: true, tags: ['t3'], meta: {}, maybe: null, mixed: 2, when: null },
  { id: 'e', n: 5, x: -1, ok: false, tags: ['t4', 't5', 't6'], meta: { deep: { k: 'v' } }, maybe: null, mixed: 3, when: null },
];

/** A source that counts how often its rows are read, and never hands out an array. */
function countingSource(values: readonly Record<string, unknown>[]): HubRowSource & { reads: number } {
  const source = {
    count: values.length,
    reads: 0,
    rows: async function* () {
      source.reads++;
      for (const value of values) yield { ...value };
    },
  };
  return source;
}

describe('Parquet from a streamed source', () => {
  let folder: string;
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'agent-eval-parquet-stream-'));
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('infers the same columns as from an array, in one pass', async () => {
    const source = countingSource(rows);
    expect(await inferStreamedColumns(source)).toEqual(inferParquetColumns(rows));
    expect(source.reads).toBe(1);
    const options = { types: { n: 'double' as const }, columns: ['z'] };
    expect(await inferStreamedColumns(rowSource(rows), options)).toEqual(inferParquetColumns(rows, options));
  });

  it('writes row groups of the given size whose rows read back as writeParquet writes them', async () => {
    const source = countingSource(rows);
    const columns = await inferStreamedColumns(source);
    const path = join(folder, 'rows.parquet');
    await writeParquetFile(path, source, columns, { metadata: { 'agent_eval.kind': 'test' }, rowGroupSize: 2 });
    const bytes = new Uint8Array(await readFile(path));
    expect(parquetMetadata(bytes.buffer).row_groups.map((group) => Number(group.num_rows))).toEqual([2, 2, 1]);
    expect(await readParquet(bytes, { parseJson: true })).toEqual(await readParquet(writeParquet(rows), { parseJson: true }));
    expect(parquetColumns(bytes)).toEqual(columns);
    expect(parquetFileMetadata(bytes)['agent_eval.kind']).toBe('test');
  });

  it('writes declared nested columns (results rows) and an empty source as a valid file', async () => {
    const declared = { types: RESULTS_TYPES, columns: Object.keys(RESULTS_TYPES) };
    const results = [
      { task_id: 't1', tools_used: ['calculator'], tool_calls: [{ step: 1, name: 'calculator', arguments: { expression: '2*3' }, output: '6', is_error: false, duration_ms: 1.5 }] },
      { task_id: 't2', tools_used: [], tool_calls: [] },
    ];
    const path = join(folder, 'results.parquet');
    const source = rowSource(results);
    await writeParquetFile(path, source, await inferStreamedColumns(source, declared), { rowGroupSize: 1 });
    const expected = await readParquet(writeParquet(results, declared), { parseJson: true });
    expect(await readParquet(new Uint8Array(await readFile(path)), { parseJson: true })).toEqual(expected);

    const empty = join(folder, 'empty.parquet');
    await writeParquetFile(empty, rowSource([]), await inferStreamedColumns(rowSource([]), declared));
    const bytes = new Uint8Array(await readFile(empty));
    expect(await readParquet(bytes)).toEqual([]);
    expect(parquetColumns(bytes).map((column) => column.name)).toEqual(Object.keys(RESULTS_TYPES));
  });

  it('names the row of a value that does not fit its declared type', async () => {
    const source = rowSource([{ n: 1 }, { n: 'two' }]);
    await expect(writeParquetFile(join(folder, 'bad.parquet'), source, [{ name: 'n', type: 'int64' }], { rowGroupSize: 1 })).rejects.toThrow(/column 'n', row 2/);
  });
});
