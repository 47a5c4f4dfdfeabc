// Run documents compared across runs: times and ids differ between any two runs, so they are taken out.

const TIMES = new Set(['enhanced_trace_info', 'timestamp', 'started_at', 'execution_time_ms', 'duration_ms', 'evaluation_date', 'trace_id', 'span_id', 'resources', 'startTimeUnixNano', 'endTimeUnixNano', 'timeUnixNano', 'traceId', 'spanId', 'parentSpanId', 'start_time', 'end_time', 'duration']);

/** The document with times and ids taken out (the loopback model also numbers its tool calls). */
export function withoutTimes(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/call_\d+/g, 'call_N').replace(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/g, 'TIME');
  if (Array.isArray(value)) return value.map(withoutTimes);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).filter(([key]) => !TIMES.has(key) && !/(^process\.|span_id$|duration_ms$|^gen_ai\.response\.id$)/.test(key)).map(([key, item]) => [key, withoutTimes(item)]));
  return value;
}
