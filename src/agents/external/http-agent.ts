/**
 * `--agent-url`: an agent served as an OpenAI-compatible chat completions endpoint. agent-eval sends
 * the conversation and records the reply, whose text is the answer; the tools are the agent's own, so
 * the tool calls recorded are those its reply reports (message.tool_calls), never run here, else those
 * of its own spans. Each request carries a W3C `traceparent` (the task's trace id, a parent span id per
 * request, so that spans tell their turn) and, in `x-agent-eval-otlp-endpoint`, the OTLP/HTTP receiver
 * its spans may be sent to.
 */
import { randomBytes } from 'node:crypto';
import { addUsage, emptyUsage, type Message, type Usage } from '../../models/types.js';
import type { AgentConversation, TurnOutcome } from '../conversation.js';
import { epochNow, type AgentRun, type Step } from '../types.js';
import { FINAL_ANSWER, type ExternalTaskInput } from './external-conversation.js';
import type { ExternalAgent, ExternalSession, SpanEndpoint } from './types.js';
import { parseToolArguments } from '../../models/tool-input.js';

/** The header that tells an endpoint where agent-eval's OTLP/HTTP receiver is (POST `/v1/traces` there). */
export const OTLP_ENDPOINT_HEADER = 'x-agent-eval-otlp-endpoint';

export interface HttpAgentSettings {
  /** The endpoint's base URL (`.../v1`) or its full `/chat/completions` URL. */
  url: string;
  timeoutMs: number;
  /** Sent as `model` (default `external`); the reply's `model` is what is recorded. */
  model?: string;
  apiKey?: string;
  /** Where the endpoint's own spans go (the run's OTLP receiver). */
  spans?: SpanEndpoint;
}

type OpenAIClient = import('openai').default;

function baseUrl(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/chat\/completions$/, '');
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 300);
}

export class HttpAgent implements ExternalAgent {
  readonly name = 'http_agent';
  private client: Promise<OpenAIClient> | undefined;

  constructor(private readonly settings: HttpAgentSettings) {}

  async start(input: ExternalTaskInput): Promise<ExternalSession> {
    this.client ??= import('openai').then(({ default: OpenAI }) => new OpenAI({ baseURL: baseUrl(this.settings.url), apiKey: this.settings.apiKey ?? 'not-needed', maxRetries: 0, timeout: this.settings.timeoutMs }));
    const traceId = randomBytes(16).toString('hex');
    const parentSpanId = randomBytes(8).toString('hex');
    const spans = this.settings.spans;
    const headers: Record<string, string> = {};
    if (spans) {
      headers[OTLP_ENDPOINT_HEADER] = await spans.url();
      await spans.expect(traceId);
    }
    const conversation = new HttpConversation(await this.client, this.settings.model ?? 'external', input, headers, { traceId, firstSpanId: parentSpanId });
    return { conversation, trace: { traceId, parentSpanId, turnSpanIds: () => conversation.turnSpanIds } };
  }

  async close(): Promise<void> {}
}

/** One task's conversation with the endpoint: each turn is one request, with a traceparent of its own (the task's trace id). */
class HttpConversation implements AgentConversation {
  private readonly state: AgentRun = { agentType: 'tool', steps: [], messages: [], usage: emptyUsage(), modelCalls: 0, actionSteps: 0, stopReason: 'error' };
  private stopped = false;
  /** The parent span id sent with each turn's request, in turn order. */
  readonly turnSpanIds: string[] = [];

  constructor(
    private readonly client: OpenAIClient,
    private readonly model: string,
    private readonly input: ExternalTaskInput,
    private readonly headers: Record<string, string>,
    private readonly trace: { traceId: string; firstSpanId: string },
  ) {}

  run(): AgentRun {
    return { ...this.state, steps: [...this.state.steps], messages: [...this.state.messages] };
  }

  async close(): Promise<void> {}

  async turn(message: string): Promise<TurnOutcome> {
    if (this.stopped) return { stopped: true };
    this.state.messages.push({ role: 'user', content: message });
    const spanId = this.turnSpanIds.length ? randomBytes(8).toString('hex') : this.trace.firstSpanId;
    this.turnSpanIds.push(spanId);
    const headers = { ...this.headers, traceparent: `00-${this.trace.traceId}-${spanId}-01` };
    const history = this.state.messages.filter((entry): entry is Extract<Message, { role: 'user' | 'assistant' }> => entry.role === 'user' || (entry.role === 'assistant' && !entry.toolCalls?.length));
    const startedAtMs = epochNow();
    const started = performance.now();
    let completion: Awaited<ReturnType<OpenAIClient['chat']['completions']['create']>>;
    try {
      completion = await this.client.chat.completions.create(
        { model: this.model, messages: history.map((entry) => ({ role: entry.role, content: entry.content })), stream: false },
        { signal: this.input.signal, headers },
      );
    } catch (error) {
      this.stopped = true;
      if (this.input.signal.aborted) {
        this.state.stopReason = 'aborted';
        return { stopped: true };
      }
      this.state.error = { kind: 'infrastructure', message: `agent endpoint ${this.input.toolContext.redactor?.text(baseUrl(this.client.baseURL)) ?? ''}: ${describe(error)}` };
      return { stopped: true };
    }
    const durationMs = performance.now() - started;
    const choice = completion.choices?.[0];
    const reply = choice?.message?.content ?? '';
    const reasoning = reasoningOf(choice?.message);
    const usage: Usage = completion.usage
      ? { inputTokens: completion.usage.prompt_tokens ?? 0, outputTokens: completion.usage.completion_tokens ?? 0, cachedInputTokens: completion.usage.prompt_tokens_details?.cached_tokens ?? 0, reasoningTokens: completion.usage.completion_tokens_details?.reasoning_tokens ?? 0 }
      : emptyUsage();
    const toolCalls = (choice?.message?.tool_calls ?? []).flatMap((call) => (call.type === 'function' ? [{ id: call.id, name: call.function.name, arguments: parseToolArguments(call.function.arguments) }] : []));
    this.state.modelCalls++;
    this.state.actionSteps = this.state.modelCalls;
    this.state.usage = addUsage(this.state.usage, usage);
    const index = this.state.modelCalls;
    this.record({
      type: 'model-call',
      index,
      response: { message: { role: 'assistant', content: reply, ...(toolCalls.length && { toolCalls }), ...(reasoning && { reasoning }) }, usage, finishReason: 'stop', model: completion.model || this.model, attempts: 1, ...(completion.id && { responseId: completion.id }) },
      startedAtMs,
      durationMs,
      inputMessageCount: this.state.messages.length,
    });
    // The agent's own tool calls, as it reports them: recorded for the tool checks, never run here.
    for (const call of toolCalls) this.record({ type: 'tool-call', index, call, output: '', isError: false, startedAtMs, durationMs: 0, source: 'native' });
    this.record({ type: 'tool-call', index, call: { id: `final_${index}`, name: FINAL_ANSWER, arguments: { answer: reply } }, output: reply, isError: false, startedAtMs: epochNow(), durationMs: 0, source: 'native' });
    // The reasoning is kept for the row (reasoning_content), never sent back: the history sends role and content only.
    this.state.messages.push({ role: 'assistant', content: reply, ...(reasoning && { reasoning }) });
    this.state.finalAnswer = reply;
    this.state.stopReason = 'final-answer';
    return { reply };
  }

  private record(step: Step): void {
    this.state.steps.push(step);
    this.input.onStep?.(step);
  }
}

/** A reasoning model's reasoning in the reply (`reasoning_content`, as DeepSeek-style servers send it, or `reasoning`). */
function reasoningOf(message: unknown): string | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const { reasoning_content: content, reasoning } = message as { reasoning_content?: unknown; reasoning?: unknown };
  const text = typeof content === 'string' && content ? content : reasoning;
  return typeof text === 'string' && text ? text : undefined;
}