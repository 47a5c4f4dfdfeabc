/**
 * metrics.json's OTLP-JSON `resourceMetrics` as SMOLTRACE's flat metrics table (spec 7 item 3):
 * one row per timestamp (per GPU when several report at the same time), columns `run_id,
 * service_name, timestamp, timestamp_unix_nano`, the seven GPU/CO2 columns, the data point
 * attributes (`gpu_id`, `gpu_name`, ...), then any other metric named with `.` -> `_`.
 * Fixed from SMOLTRACE: every data point is used (not only the first), values that were not
 * measured are null (not 0.0), timestamps are UTC. Histograms become `{name}_count/_sum/_min/_max`.
 */
import type { ParquetColumnType } from './parquet.js';

export const METRIC_COLUMNS: Readonly<Record<string, string>> = {
  'gen_ai.co2.emissions': 'co2_emissions_gco2e',
  'gen_ai.power.cost': 'power_cost_usd',
  'gen_ai.gpu.utilization': 'gpu_utilization_percent',
  'gen_ai.gpu.memory.used': 'gpu_memory_used_mib',
  'gen_ai.gpu.memory.total': 'gpu_memory_total_mib',
  'gen_ai.gpu.temperature': 'gpu_temperature_celsius',
  'gen_ai.gpu.power': 'gpu_power_watts',
};

export const METRICS_BASE_COLUMNS = ['run_id', 'service_name', 'timestamp', 'timestamp_unix_nano', ...Object.values(METRIC_COLUMNS), 'gpu_id', 'gpu_name'];

export interface FlatMetrics {
  rows: Record<string, unknown>[];
  /** Types to write: every metric value column is a double, the base columns are pinned. */
  types: Record<string, ParquetColumnType>;
}

type Json = Record<string, unknown>;
const record = (value: unknown): Json => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const columnName = (name: string) => name.replace(/[.\s/-]+/g, '_');

/** An OTLP AnyValue as a scalar (intValue text -> number). */
function anyValue(value: unknown): unknown {
  const v = record(value);
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  if ('boolValue' in v) return v.boolValue;
  return null;
}

function attributes(value: unknown): Json {
  return Object.fromEntries(list(value).map((item) => [String(record(item).key), anyValue(record(item).value)]));
}

function pointValue(point: Json): number | null {
  if (typeof point.asDouble === 'number') return point.asDouble;
  if (point.asInt !== null && point.asInt !== undefined && point.asInt !== '') return Number(point.asInt);
  return null;
}

function nanosOf(value: unknown): bigint {
  try {
    return BigInt(String(value));
  } catch {
    return 0n;
  }
}

function isoFromNanos(nanos: string): string {
  const date = new Date(Number(nanosOf(nanos) / 1_000_000n));
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}

interface Point {
  nanos: string;
  attributes: Json;
  values: Record<string, number | null>;
  runId: string;
  serviceName: string;
}

function collectPoints(resourceMetrics: readonly unknown[], runId: string, serviceName: string, types: Record<string, ParquetColumnType>): Point[] {
  const points: Point[] = [];
  for (const batch of resourceMetrics) {
    const resource = attributes(record(record(batch).resource).attributes);
    const batchRun = typeof resource['run.id'] === 'string' ? resource['run.id'] : runId;
    const batchService = typeof resource['service.name'] === 'string' ? resource['service.name'] : serviceName;
    for (const scope of list(record(batch).scopeMetrics)) {
      for (const metricValue of list(record(scope).metrics)) {
        const metric = record(metricValue);
        const name = String(metric.name ?? 'metric');
        const column = METRIC_COLUMNS[name] ?? columnName(name);
        const histogram = record(metric.histogram);
        const numbers = list(record(metric.gauge).dataPoints).concat(list(record(metric.sum).dataPoints));
        for (const raw of numbers) {
          const point = record(raw);
          types[column] = 'double';
          points.push({ nanos: String(point.timeUnixNano ?? '0'), attributes: attributes(point.attributes), values: { [column]: pointValue(point) }, runId: batchRun, serviceName: batchService });
        }
        for (const raw of list(histogram.dataPoints)) {
          const point = record(raw);
          const values: Record<string, number | null> = {};
          for (const part of ['count', 'sum', 'min', 'max']) {
            const value = point[part];
            values[`${column}_${part}`] = typeof value === 'number' ? value : typeof value === 'string' && value !== '' ? Number(value) : null;
            types[`${column}_${part}`] = 'double';
          }
          points.push({ nanos: String(point.timeUnixNano ?? '0'), attributes: attributes(point.attributes), values, runId: batchRun, serviceName: batchService });
        }
      }
    }
  }
  return points;
}

function baseRow(runId: string, serviceName: string, nanos: string, timestamp: string): Record<string, unknown> {
  const row: Record<string, unknown> = { run_id: runId, service_name: serviceName, timestamp, timestamp_unix_nano: nanos };
  for (const column of Object.values(METRIC_COLUMNS)) row[column] = null;
  row.gpu_id = null;
  row.gpu_name = null;
  return row;
}

/** Flattens `resourceMetrics`; a single placeholder row (all values null) when there is nothing. */
export function flattenMetrics(
  metrics: { resourceMetrics?: readonly unknown[] },
  options: { runId: string; serviceName?: string; now?: Date },
): FlatMetrics {
  const serviceName = options.serviceName ?? 'agent-eval';
  const types: Record<string, ParquetColumnType> = { run_id: 'string', service_name: 'string', timestamp: 'string', timestamp_unix_nano: 'string', gpu_id: 'string', gpu_name: 'string' };
  for (const column of Object.values(METRIC_COLUMNS)) types[column] = 'double';
  const points = collectPoints(metrics.resourceMetrics ?? [], options.runId, serviceName, types);
  const rows = new Map<string, Record<string, unknown>>();
  const firstAtTime = new Map<string, Record<string, unknown>>();
  const place = (point: Point, key: string) => {
    let row = rows.get(key);
    if (!row) {
      row = baseRow(point.runId, point.serviceName, point.nanos, isoFromNanos(point.nanos));
      rows.set(key, row);
      if (!firstAtTime.has(point.nanos)) firstAtTime.set(point.nanos, row);
    }
    for (const [name, value] of Object.entries(point.attributes)) {
      const column = name === 'gpu_id' || name === 'gpu_name' ? name : columnName(name);
      row[column] = column === 'gpu_id' && value !== null ? String(value) : value;
    }
    Object.assign(row, point.values);
  };
  // Points with attributes (per GPU, per token type) get their own rows; attribute-less totals join
  // the first row at their timestamp, so a single-GPU run has exactly one row per timestamp.
  for (const point of points) if (Object.keys(point.attributes).length) place(point, `${point.nanos}|${JSON.stringify(point.attributes)}`);
  for (const point of points) {
    if (Object.keys(point.attributes).length) continue;
    const first = firstAtTime.get(point.nanos);
    if (first) Object.assign(first, point.values);
    else place(point, `${point.nanos}|`);
  }
  const sorted = [...rows.values()].sort((left, right) => {
    const a = nanosOf(left.timestamp_unix_nano);
    const b = nanosOf(right.timestamp_unix_nano);
    return a < b ? -1 : a > b ? 1 : 0;
  });
  if (sorted.length === 0) {
    const now = options.now ?? new Date();
    sorted.push(baseRow(options.runId, serviceName, (BigInt(now.getTime()) * 1_000_000n).toString(), now.toISOString()));
  }
  return { rows: sorted, types };
}
