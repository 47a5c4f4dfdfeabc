import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { CollectingProcessor, otlpUrl } from './span-collector.js';
import type { JudgeCallSpan, TaskTraceInput, TracingOptions } from './trace-input.js';
import type { AgentRun, Step } from '../agents/types.js';
import type { Message } from '../models/types.js';
import { inputMessageJson, outputMessages, systemInstructions, toolDefinitions } from './genai-messages.js';
import { capAttribute, STRING_LIMIT } from './redaction.js';
import { inputOutput, llmAttributes, spanKind, toolAttributes } from './openinference.js';
import { GEN_AI, OPERATION, PROCESS, PROVIDER_NAMES, RESPONSE_FINISH_REASONS, SMOLTRACE } from './semconv.js';
import { traceDocument, type TraceDocument, type TraceSpan } from './trace-document.js';
import { readableSpan } from './foreign-spans.js';

export type { JudgeCallSpan, TaskTraceInput, TracingOptions } from './trace-input.js';

/**
 * One tracer provider per run (never registered globally, so runs in one process do not share state). Spans are
 * created when a task ends, from the agent's recorded steps with their real start times, and exported over OTLP when an endpoint is set.
 */
export class RunTracer {
  /** Each message's scrubbed input-messages JSON: a task's history is sent again with every call. */
  private readonly messageTexts = new WeakMap<Message, string>();
  /** Scrubbed attribute texts that repeat across calls and tasks: system instructions, tool definitions. */
  private readonly repeatedTexts = { system: new Map<string, string>(), tools: new Map<string, string>() };

  private constructor(
    private readonly options: TracingOptions,
    private readonly tracer: Tracer,
    private readonly collector: CollectingProcessor,
    private readonly shutdownProvider: () => Promise<void>,
    private readonly exportSpan: (span: TraceSpan) => void,
  ) {}

  static async create(options: TracingOptions): Promise<RunTracer> {
    const [{ BasicTracerProvider, BatchSpanProcessor }, { resourceFromAttributes }] = await Promise.all([import('@opentelemetry/sdk-trace-base'), import('@opentelemetry/resources')]);
    const collector = new CollectingProcessor();
    let exporting: SpanProcessor | undefined;
    if (options.otlpEndpoint) {
      const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
      exporting = new BatchSpanProcessor(new OTLPTraceExporter({ url: otlpUrl(options.otlpEndpoint), headers: options.otlpHeaders, timeoutMillis: 5000 }));
    }
    const provider = new BasicTracerProvider({ resource: resourceFromAttributes(options.resource), spanProcessors: exporting ? [collector, exporting] : [collector] });
    const tracer = provider.getTracer('agent-eval');
    const shutdown = async () => {
      await provider.forceFlush();
      await provider.shutdown();
    };
    return new RunTracer(options, tracer, collector, shutdown, (span) => exporting?.onEnd(readableSpan(span, resourceFromAttributes)));
  }

  /** Spans joined to a task's trace after recordTask (the simulated user's, an external agent's): to the OTLP endpoint too. */
  exportSpans(spans: readonly TraceSpan[]): void {
    for (const span of spans) this.exportSpan(span);
  }

  /** Whether message content goes on spans (`--no-capture-content` turns it off). */
  get capturesContent(): boolean {
    return this.options.captureContent;
  }

  /** Flushes the OTLP exporter. A collector that is down is reported by the caller, once. */
  async shutdown(): Promise<void> {
    await this.shutdownProvider();
  }

  private text(value: unknown): string {
    return capAttribute(this.options.redactor.text(typeof value === 'string' ? value : JSON.stringify(value ?? null)));
  }

  /** `text(compute())`, remembered under `key` (a bounded cache: it is cleared when full). */
  private repeatedText(kind: keyof RunTracer['repeatedTexts'], key: string, compute: () => unknown): string {
    const cache = this.repeatedTexts[kind];
    let text = cache.get(key);
    if (text === undefined) {
      if (cache.size >= 64) cache.clear();
      text = this.text(compute());
      cache.set(key, text);
    }
    return text;
  }

  /**
   * gen_ai.input.messages for the first `count` messages: each message scrubbed once per task and the
   * JSON array joined only up to the attribute cap, the same text as scrubbing and capping the whole
   * array (no secret spans two messages: they are separate JSON objects).
   */
  private inputMessagesText(messages: readonly Message[], count: number): string {
    let joined = '[';
    for (let index = 0; index < count && joined.length <= STRING_LIMIT; index++) {
      const message = messages[index]!;
      if (message.role === 'system') continue;
      let text = this.messageTexts.get(message);
      if (text === undefined) {
        text = this.options.redactor.text(inputMessageJson(message));
        this.messageTexts.set(message, text);
      }
      joined += joined.length > 1 ? `,${text}` : text;
    }
    return capAttribute(`${joined}]`);
  }

  private child(name: string, parent: Span, startMs: number, attributes: Attributes, kind = SpanKind.INTERNAL): Span {
    return this.tracer.startSpan(name, { startTime: startMs, attributes, kind }, trace.setSpan(ROOT_CONTEXT, parent));
  }

  /** OpenInference `input.value`/`output.value` (redacted), only when content is captured. */
  private inputOutput(input: string | undefined, output: string | undefined): Attributes {
    if (!this.options.captureContent) return {};
    return inputOutput(input === undefined ? undefined : this.text(input), output === undefined ? undefined : this.text(output));
  }

  /** Records one task's span tree and returns its trace document. */
  recordTask(input: TaskTraceInput): TraceDocument {
    const { run } = input;
    const endMs = input.startedAtMs + input.durationMs;
    const taskInputOutput = this.inputOutput(input.prompt, run.finalAnswer);
    const root = this.tracer.startSpan(SMOLTRACE.rootSpanName, {
      startTime: input.startedAtMs,
      root: true,
      attributes: {
        [SMOLTRACE.testId]: input.taskId,
        [SMOLTRACE.testCaseUid]: input.testCaseUid,
        [SMOLTRACE.testDifficulty]: input.difficulty,
        [SMOLTRACE.agentType]: input.agentType,
        [SMOLTRACE.prompt]: this.text(input.prompt.slice(0, 100)),
        ...spanKind('chain'),
        ...taskInputOutput,
      },
    });
    const agentName = input.agentName ?? (input.agentType === 'tool' ? 'tool_calling_agent' : 'code_agent');
    const agent = this.child(`${OPERATION.invokeAgent} ${agentName}`, root, input.startedAtMs, {
      [GEN_AI.operationName]: OPERATION.invokeAgent,
      [GEN_AI.agentName]: agentName,
      [GEN_AI.providerName]: PROVIDER_NAMES[input.provider] ?? input.provider,
      [GEN_AI.requestModel]: input.modelId,
      [GEN_AI.conversationId]: input.testCaseUid,
      ...spanKind('agent'),
      ...taskInputOutput,
    });
    let callIndex = 0;
    const codeSpans = new Map<number, Span>();
    for (const step of run.steps) {
      if (step.type === 'model-call') {
        const cost = input.callCosts[callIndex++] ?? null;
        // Calls read from an external agent's own spans: those spans stand in the trace already.
        if (!step.fromSpans) this.recordModelCall(agent, input, step, cost);
      }
      else if (step.type === 'code') codeSpans.set(step.index, this.startCodeStep(agent, step));
      else if (step.type === 'parse-error') agent.addEvent('parse_error', { step_index: step.index, message: step.message });
    }
    for (const step of run.steps) {
      if (step.type !== 'tool-call' || step.fromSpans) continue;
      const parent = step.source === 'code' ? (codeSpans.get(step.index) ?? agent) : agent;
      this.recordToolCall(parent, input, step);
    }
    for (const [index, span] of codeSpans) {
      const step = run.steps.find((candidate) => candidate.type === 'code' && candidate.index === index) as Extract<Step, { type: 'code' }>;
      span.end(step.startedAtMs + step.durationMs);
    }
    const toolCalls = run.steps.filter((step) => step.type === 'tool-call' && step.call.name !== 'final_answer').length;
    root.setAttributes({ [SMOLTRACE.toolCalls]: toolCalls, [SMOLTRACE.steps]: run.actionSteps, [SMOLTRACE.success]: input.success });
    for (const span of [agent, root]) {
      if (input.error) {
        span.setAttribute(GEN_AI.errorType, input.error.kind);
        span.setStatus({ code: SpanStatusCode.ERROR, message: this.text(input.error.message) });
      } else {
        span.setStatus({ code: SpanStatusCode.OK });
      }
    }
    for (const evaluation of input.evaluations ?? []) {
      agent.addEvent('gen_ai.evaluation.result', {
        'gen_ai.evaluation.name': evaluation.name,
        'gen_ai.evaluation.score.value': evaluation.value,
        'gen_ai.evaluation.score.label': evaluation.passed ? 'pass' : 'fail',
        'gen_ai.evaluation.explanation': this.text(evaluation.explanation.slice(0, STRING_LIMIT)),
        ...(evaluation.error !== undefined && { [GEN_AI.errorType]: 'evaluation_error' }),
      }, endMs);
    }
    for (const call of input.judgeCalls ?? []) this.recordJudgeCall(root, call);
    agent.end(endMs);
    root.end(endMs);
    return traceDocument(this.collector.take(), this.options.runId);
  }

  private recordModelCall(agent: Span, input: TaskTraceInput, step: Extract<AgentRun['steps'][number], { type: 'model-call' }>, cost: number | null) {
    const { response } = step;
    const usage = response.usage;
    // An external agent chose its own models: each call is named by the model it reported.
    const model = input.provider === 'external' ? response.model || input.modelId : input.modelId;
    const attributes: Attributes = {
      [GEN_AI.operationName]: OPERATION.chat,
      [GEN_AI.providerName]: PROVIDER_NAMES[input.provider] ?? input.provider,
      [GEN_AI.requestModel]: model,
      [GEN_AI.responseModel]: response.model,
      [GEN_AI.responseFinishReasons]: [RESPONSE_FINISH_REASONS[response.finishReason]],
      [GEN_AI.usageInputTokens]: usage.inputTokens,
      [GEN_AI.usageOutputTokens]: usage.outputTokens,
      [GEN_AI.usageCacheReadInputTokens]: usage.cachedInputTokens ?? 0,
      [GEN_AI.usageReasoningOutputTokens]: usage.reasoningTokens ?? 0,
      'agent_eval.attempts': response.attempts,
      ...llmAttributes(response.model || input.modelId, input.provider, usage),
    };
    if (response.responseId) attributes[GEN_AI.responseId] = response.responseId;
    const generation = input.generation;
    if (generation.temperature !== undefined) attributes[GEN_AI.requestTemperature] = generation.temperature;
    if (generation.topP !== undefined) attributes[GEN_AI.requestTopP] = generation.topP;
    if (generation.maxOutputTokens !== undefined) attributes[GEN_AI.requestMaxTokens] = generation.maxOutputTokens;
    if (generation.seed !== undefined) attributes[GEN_AI.requestSeed] = generation.seed;
    if (generation.stop?.length) attributes[GEN_AI.requestStopSequences] = generation.stop;
    if (cost !== null) attributes[GEN_AI.usageCost] = cost;
    if (this.options.captureContent) {
      const [messages, count] = step.inputMessages ? [step.inputMessages, step.inputMessages.length] : [input.run.messages, step.inputMessageCount];
      attributes[GEN_AI.inputMessages] = this.inputMessagesText(messages, count);
      const system = messages.slice(0, count).filter((message) => message.role === 'system');
      // Keyed by the prompt string itself (its hash is cached by V8), the same for every task of an agent type.
      const systemKey = system.length === 1 ? system[0]!.content : system.map((message) => message.content).join('\0');
      attributes[GEN_AI.systemInstructions] = this.repeatedText('system', systemKey, () => systemInstructions(system));
      attributes[GEN_AI.outputMessages] = this.text(outputMessages(response.message, response.finishReason));
      attributes[GEN_AI.toolDefinitions] = this.repeatedText('tools', input.tools.map((tool) => tool.name).join('\0'), () => toolDefinitions(input.tools));
    }
    const span = this.child(`${OPERATION.chat} ${model}`, agent, step.startedAtMs, attributes, SpanKind.CLIENT);
    span.end(step.startedAtMs + step.durationMs);
  }

  /** One LLM judge call, beside the agent's span: its tokens are the judge's, never the evaluated model's. */
  private recordJudgeCall(root: Span, call: JudgeCallSpan) {
    const attributes: Attributes = {
      [GEN_AI.operationName]: OPERATION.chat,
      [GEN_AI.providerName]: PROVIDER_NAMES[call.provider] ?? call.provider,
      [GEN_AI.requestModel]: call.model,
      [GEN_AI.usageInputTokens]: call.usage.inputTokens,
      [GEN_AI.usageOutputTokens]: call.usage.outputTokens,
      'agent_eval.judge': true,
      'agent_eval.attempts': call.attempt,
      ...spanKind('llm'),
    };
    if (call.costUsd !== null) attributes[GEN_AI.usageCost] = call.costUsd;
    const span = this.child(`${OPERATION.chat} ${call.model}`, root, call.startedAtMs, attributes, SpanKind.CLIENT);
    if (call.error !== undefined) {
      span.setAttribute(GEN_AI.errorType, 'judge_error');
      span.setStatus({ code: SpanStatusCode.ERROR, message: this.text(call.error) });
    }
    span.end(call.startedAtMs + call.durationMs);
  }

  /** A Python code step of the code agent, as an `execute_tool python_interpreter` span (ended by the caller). */
  private startCodeStep(agent: Span, step: Extract<Step, { type: 'code' }>): Span {
    const attributes: Attributes = {
      [GEN_AI.operationName]: OPERATION.executeTool,
      [GEN_AI.toolName]: 'python_interpreter',
      [GEN_AI.toolType]: 'function',
      'agent_eval.step': step.index,
      ...toolAttributes('python_interpreter', undefined),
      ...this.inputOutput(step.code, step.stdout),
    };
    if (this.options.captureContent) {
      attributes[GEN_AI.toolCallArguments] = this.text(step.code);
      attributes[GEN_AI.toolCallResult] = this.text(step.stdout);
    }
    const span = this.child(`${OPERATION.executeTool} python_interpreter`, agent, step.startedAtMs, attributes);
    if (step.error) {
      span.setAttribute(GEN_AI.errorType, step.error.split(':')[0] ?? 'error');
      span.setStatus({ code: SpanStatusCode.ERROR, message: this.text(step.error.slice(0, 500)) });
    }
    return span;
  }

  private recordToolCall(parent: Span, input: TaskTraceInput, step: Extract<Step, { type: 'tool-call' }>) {
    const description = input.tools.find((tool) => tool.name === step.call.name)?.description;
    const attributes: Attributes = {
      [GEN_AI.operationName]: OPERATION.executeTool,
      [GEN_AI.toolName]: step.call.name,
      [GEN_AI.toolCallId]: step.call.id,
      [GEN_AI.toolType]: 'function',
    };
    if (description) attributes[GEN_AI.toolDescription] = description;
    Object.assign(attributes, toolAttributes(step.call.name, description), this.inputOutput(typeof step.call.arguments === 'string' ? step.call.arguments : JSON.stringify(step.call.arguments ?? null), step.output));
    if (this.options.captureContent) {
      attributes[GEN_AI.toolCallArguments] = this.text(step.call.arguments);
      attributes[GEN_AI.toolCallResult] = this.text(step.output);
    }
    const resources = step.resources;
    if (resources) {
      attributes[PROCESS.cpuUserMs] = resources.cpuUserMs;
      attributes[PROCESS.cpuSystemMs] = resources.cpuSystemMs;
      attributes[PROCESS.maxRssKiB] = resources.maxRssKiB;
      attributes[PROCESS.fsReadOps] = resources.fsReadOps;
      attributes[PROCESS.fsWriteOps] = resources.fsWriteOps;
      if (resources.exitCode !== undefined) attributes[PROCESS.exitCode] = resources.exitCode;
    }
    const kind = input.toolKinds?.[step.call.name];
    if (kind) attributes[GEN_AI.toolType] = kind;
    const span = this.child(`${OPERATION.executeTool} ${step.call.name}`, parent, step.startedAtMs, attributes);
    if (step.isError) {
      span.setAttribute(GEN_AI.errorType, 'tool_error');
      span.setStatus({ code: SpanStatusCode.ERROR, message: this.text(step.output.slice(0, 500)) });
    }
    span.end(step.startedAtMs + Math.max(step.durationMs, 0));
  }
}
