/**
 * The OpenTelemetry GenAI client metrics (`gen_ai.client.token.usage`, `gen_ai.client.operation.duration`)
 * on the real OTel metrics SDK, one MeterProvider per run, collected at the end into the OTLP-JSON-like
 * `resourceMetrics` shape of metrics.json.
 */
import type { Attributes, HrTime, Histogram } from '@opentelemetry/api';
import type { CollectionResult, DataPoint, Histogram as HistogramValue, MeterProvider } from '@opentelemetry/sdk-metrics';
import type { Usage } from '../models/types.js';
import { AGENT_EVAL_VERSION } from '../version.js';
import { GEN_AI, OPERATION, PROVIDER_NAMES } from './semconv.js';

const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
const DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

export interface ModelCallMeasurement {
  provider: string;
  requestModel: string;
  responseModel?: string;
  usage?: Usage;
  durationMs: number;
  errorType?: string;
  /** `user_simulator` for the simulated user's calls (`agent_eval.role`), kept apart from the agent's; absent for the agent's. */
  role?: 'user_simulator';
}

type KeyValue = { key: string; value: { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean } };

function keyValues(attributes: Attributes): KeyValue[] {
  return Object.entries(attributes).flatMap(([key, value]): KeyValue[] => {
    if (typeof value === 'string') return [{ key, value: { stringValue: value } }];
    if (typeof value === 'boolean') return [{ key, value: { boolValue: value } }];
    if (typeof value === 'number') return [{ key, value: Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value } }];
    return [];
  });
}

const nanos = (time: HrTime) => (BigInt(time[0]) * 1_000_000_000n + BigInt(time[1])).toString();

export class GenAiMetrics {
  private constructor(
    private readonly provider: MeterProvider,
    private readonly collectNow: () => Promise<CollectionResult>,
    private readonly tokens: Histogram,
    private readonly duration: Histogram,
  ) {}

  /** `resource`: the run's resource attributes (telemetry/resource.ts), shared with the spans. */
  static async create(resource: Attributes): Promise<GenAiMetrics> {
    const [{ MeterProvider, MetricReader }, { resourceFromAttributes }] = await Promise.all([import('@opentelemetry/sdk-metrics'), import('@opentelemetry/resources')]);
    class ManualReader extends MetricReader {
      protected async onShutdown(): Promise<void> {}
      protected async onForceFlush(): Promise<void> {}
    }
    const reader = new ManualReader();
    const provider = new MeterProvider({
      resource: resourceFromAttributes(resource),
      readers: [reader],
    });
    const meter = provider.getMeter('agent-eval', AGENT_EVAL_VERSION);
    const tokens = meter.createHistogram('gen_ai.client.token.usage', {
      unit: '{token}',
      description: 'Tokens used per model call, by token type',
      advice: { explicitBucketBoundaries: TOKEN_BUCKETS },
    });
    const duration = meter.createHistogram('gen_ai.client.operation.duration', {
      unit: 's',
      description: 'Duration of model calls',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
    return new GenAiMetrics(provider, () => reader.collect(), tokens, duration);
  }

  record(call: ModelCallMeasurement): void {
    const attributes: Attributes = {
      [GEN_AI.operationName]: OPERATION.chat,
      [GEN_AI.providerName]: PROVIDER_NAMES[call.provider] ?? call.provider,
      [GEN_AI.requestModel]: call.requestModel,
      ...(call.responseModel ? { [GEN_AI.responseModel]: call.responseModel } : {}),
      ...(call.errorType ? { [GEN_AI.errorType]: call.errorType } : {}),
      ...(call.role ? { 'agent_eval.role': call.role } : {}),
    };
    this.duration.record(call.durationMs / 1000, attributes);
    if (!call.usage) return;
    this.tokens.record(call.usage.inputTokens, { ...attributes, 'gen_ai.token.type': 'input' });
    this.tokens.record(call.usage.outputTokens, { ...attributes, 'gen_ai.token.type': 'output' });
  }

  /** Collects the histograms as OTLP-JSON resourceMetrics and shuts the provider down. */
  async collect(): Promise<unknown[]> {
    const { resourceMetrics } = await this.collectNow();
    await this.provider.shutdown();
    return [
      {
        resource: { attributes: keyValues(resourceMetrics.resource.attributes as Attributes) },
        scopeMetrics: resourceMetrics.scopeMetrics.map((scope) => ({
          scope: { name: scope.scope.name, version: scope.scope.version ?? '' },
          metrics: scope.metrics.map((metric) => ({
            name: metric.descriptor.name,
            description: metric.descriptor.description,
            unit: metric.descriptor.unit,
            histogram: {
              aggregationTemporality: 2,
              dataPoints: (metric.dataPoints as DataPoint<HistogramValue>[]).map((point) => ({
                attributes: keyValues(point.attributes),
                startTimeUnixNano: nanos(point.startTime),
                timeUnixNano: nanos(point.endTime),
                count: point.value.count,
                sum: point.value.sum ?? 0,
                min: point.value.min ?? null,
                max: point.value.max ?? null,
                bucketCounts: point.value.buckets.counts,
                explicitBounds: point.value.buckets.boundaries,
              })),
            },
          })),
        })),
      },
    ];
  }
}
