import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { describeParquetType } from '../../src/hub/parquet-schema.js';
import { inferParquetColumns, JSON_COLUMNS_KEY, parquetColumns, parquetFileMetadata, readParquet, writeParquet } from '../../src/hub/parquet.js';

const rows = [
  { id: 'a', n: 1, x: 0.5, ok: true, tags: ['t1', 't2'], meta: { k: 1 }, maybe: null, big: 2n ** 60n, mixed: 1, when: new Date('2026-01-02T03:04:05Z') },
  { id: 'b', n: 2, x: 2, ok: false, tags: [], meta: null, maybe: null, big: 3n, mixed: 'one', when: null },
  { id: null, n: null, x: null, ok: null, tags: null, meta: { k: [1, 2] }, maybe: null, big: null, mixed: null, when: null, extra: 'late' },
];

describe('writeParquet / readParquet', () => {
  it('infers string, int64, double, boolean and JSON columns in first-seen order', () => {
    expect(inferParquetColumns(rows)).toEqual([
      { name: 'id', type: 'string' },
      { name: 'n', type: 'int64' },
      { name: 'x', type: 'double' },
      { name: 'ok', type: 'boolean' },
      { name: 'tags', type: 'json' },
      { name: 'meta', type: 'json' },
      { name: 'maybe', type: 'string' },
      { name: 'big', type: 'int64' },
      { name: 'mixed', type: 'json' },
      { name: 'when', type: 'string' },
      { name: 'extra', type: 'string' },
    ]);
    expect(inferParquetColumns([{ a: 1 }], { types: { a: 'double' }, columns: ['z'] })).toEqual([
      { name: 'z', type: 'string' },
      { name: 'a', type: 'double' },
    ]);
  });

  it('round-trips values and nulls; nested values as JSON text', async () => {
    const bytes = writeParquet(rows);
    expect(parquetColumns(bytes).map((column) => column.type)).toEqual(inferParquetColumns(rows).map((column) => column.type));
    expect(JSON.parse(parquetFileMetadata(bytes)[JSON_COLUMNS_KEY]!)).toEqual(['tags', 'meta', 'mixed']);
    const raw = await readParquet(bytes);
    expect(raw[0]).toMatchObject({ id: 'a', n: 1, x: 0.5, ok: true, tags: '["t1","t2"]', meta: '{"k":1}', maybe: null, big: 2n ** 60n, mixed: '1' });
    expect(raw[0]!.when).toBe('2026-01-02T03:04:05.000Z');
    expect(raw[1]).toMatchObject({ x: 2, big: 3, mixed: '"one"', extra: null });
    expect(raw[2]).toMatchObject({ id: null, n: null, tags: null, extra: 'late' });
    const parsed = await readParquet(bytes, { parseJson: true });
    expect(parsed.map((row) => [row.tags, row.meta, row.mixed])).toEqual([
      [['t1', 't2'], { k: 1 }, 1],
      [[], null, 'one'],
      [null, { k: [1, 2] }, null],
    ]);
  });

  it('honours type overrides and rejects values that do not fit', async () => {
    const bytes = writeParquet([{ cost: 0 }, { cost: 1 }], { types: { cost: 'double' }, columns: ['team'] });
    expect(parquetColumns(bytes)).toEqual([
      { name: 'team', type: 'string' },
      { name: 'cost', type: 'double' },
    ]);
    expect(await readParquet(bytes)).toEqual([
      { team: null, cost: 0 },
      { team: null, cost: 1 },
    ]);
    expect(() => writeParquet([{ n: 1.5 }], { types: { n: 'int64' } })).toThrow(/column 'n'/);
    expect(() => writeParquet([{ b: 'yes' }], { types: { b: 'boolean' } })).toThrow(/row 1/);
  });

  it('writes an empty table with declared columns', async () => {
    const bytes = writeParquet([], { columns: ['a', 'b'] });
    expect(parquetColumns(bytes)).toEqual([
      { name: 'a', type: 'string' },
      { name: 'b', type: 'string' },
    ]);
    expect(await readParquet(bytes)).toEqual([]);
  });

  it('writes declared lists, structs and UTC timestamps and reads them back', async () => {
    const types = {
      when: 'timestamp',
      names: { list: 'string' },
      calls: { list: { struct: { name: 'string', arguments: 'json', ms: 'double', nested: { list: { struct: { at: 'int64' } } } } } },
      status: { struct: { code: 'string', description: 'string' } },
    } as const;
    const bytes = writeParquet(
      [
        { when: '2026-01-02T03:04:05.123Z', names: ['a', 'b'], calls: [{ name: 'x', arguments: { k: [1] }, ms: 1.5, nested: [{ at: '1767323045000000001' }] }], status: { code: 'OK' } },
        { when: null, names: [], calls: [], status: null },
        { when: new Date(0), names: null, calls: [{ name: 'y', arguments: 'text', ms: null, nested: null }], status: { code: 'ERROR', description: 'boom' } },
      ],
      { types },
    );
    expect(parquetColumns(bytes)).toEqual(Object.entries(types).map(([name, type]) => ({ name, type })));
    expect(await readParquet(bytes, { parseJson: true })).toEqual([
      { when: '2026-01-02T03:04:05.123Z', names: ['a', 'b'], calls: [{ name: 'x', arguments: { k: [1] }, ms: 1.5, nested: [{ at: 1767323045000000001n }] }], status: { code: 'OK', description: null } },
      { when: null, names: [], calls: [], status: null },
      { when: '1970-01-01T00:00:00.000Z', names: null, calls: [{ name: 'y', arguments: 'text', ms: null, nested: null }], status: { code: 'ERROR', description: 'boom' } },
    ]);
    // without parseJson, JSON leaves stay text
    expect(((await readParquet(bytes))[0]!.calls as { arguments: unknown }[])[0]!.arguments).toBe('{"k":[1]}');
    expect(() => writeParquet([{ names: 'a' }], { types })).toThrow(/column 'names', row 1 \(list<string>\)/);
    expect(() => writeParquet([{ calls: [{ ms: 'slow' }] }], { types })).toThrow(/column 'calls', row 1\[0\]\.ms \(double\)/);
    expect(() => writeParquet([{ when: 'yesterday' }], { types })).toThrow(/column 'when', row 1 \(timestamp\[us, UTC\]\)/);
  });

  it('describes types for the cards', () => {
    expect(describeParquetType({ list: { struct: { a: 'json', b: 'timestamp', c: 'boolean' } } })).toBe('list<struct<a: string (JSON), b: timestamp[us, UTC], c: bool>>');
  });

  it('writes an empty table with nested declared columns', async () => {
    const bytes = writeParquet([], { types: { spans: { list: { struct: { name: 'string' } } } }, columns: ['spans'] });
    expect(parquetColumns(bytes)).toEqual([{ name: 'spans', type: { list: { struct: { name: 'string' } } } }]);
    expect(await readParquet(bytes)).toEqual([]);
  });

  it('reads GZIP-compressed files written by other tools', async () => {
    const buffer = parquetWriteBuffer({
      codec: 'GZIP',
      compressors: { GZIP: (input) => new Uint8Array(gzipSync(input)) },
      columnData: [{ name: 'id', data: ['x', 'y'], type: 'STRING' }],
    });
    expect(await readParquet(new Uint8Array(buffer))).toEqual([{ id: 'x' }, { id: 'y' }]);
  });
});

const hasPyarrow = spawnSync('python3', ['-c', 'import pyarrow'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!hasPyarrow)('pyarrow reads what we write', () => {
  it('has the same columns, types and values', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-parquet-'));
    try {
      const file = join(dir, 'rows.parquet');
      writeFileSync(file, writeParquet(rows));
      const script = [
        'import json, sys, pyarrow.parquet as pq',
        't = pq.read_table(sys.argv[1])',
        'print(json.dumps({"types": {f.name: str(f.type) for f in t.schema}, "rows": t.to_pylist()}, default=str))',
      ].join('\n');
      const out = JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' })) as { types: Record<string, string>; rows: Record<string, unknown>[] };
      expect(out.types).toMatchObject({ id: 'string', n: 'int64', x: 'double', ok: 'bool', tags: 'string', maybe: 'string', big: 'int64' });
      expect(out.rows[0]).toMatchObject({ id: 'a', n: 1, x: 0.5, ok: true, tags: '["t1","t2"]', big: 2 ** 60 });
      expect(out.rows[2]).toMatchObject({ id: null, extra: 'late' });
      writeFileSync(file, writeParquet([{ when: '2026-01-02T03:04:05Z', calls: [{ name: 'x', n: 1 }] }], { types: { when: 'timestamp', calls: { list: { struct: { name: 'string', n: 'int64' } } } } }));
      const nested = JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' })) as { types: Record<string, string>; rows: Record<string, unknown>[] };
      expect(nested.types).toEqual({ when: 'timestamp[us, tz=UTC]', calls: 'list<element: struct<name: string, n: int64>>' });
      expect(nested.rows).toEqual([{ when: '2026-01-02 03:04:05+00:00', calls: [{ name: 'x', n: 1 }] }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
