/**
 * The external agent of a run (`--agent-command`, `--agent-url`, or a program's `defineAgent`), with
 * the OTLP receiver its processes export their spans to (started with the first task).
 */
import type { ExternalAgent, SpanEndpoint } from '../agents/external/types.js';
import type { AgentType } from '../agents/types.js';
import { InputError } from '../errors.js';
import type { ResolvedModel } from '../models/routing.js';
import type { ModelProvider } from '../models/types.js';
import type { TextRedactor } from '../secrets/redactor.js';
import type { ReceivedSpan } from '../telemetry/otlp-wire.js';
import type { OtlpReceiver } from '../telemetry/otlp-receiver.js';
import type { RunOptions } from './types.js';

export interface ExternalAgentSetup {
  agent: ExternalAgent;
  /** The model the agent is said to use (`--model`), sent in the task message; null when not given. */
  model: string | null;
  /** The spans received for a task's trace (taken once); their execute_tool spans are the agent's tool calls when it reported or asked for none. */
  takeSpans(traceId: string): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

export interface ExternalAgentContext {
  env: Record<string, string | undefined>;
  redactor?: TextRedactor;
  /** A program's own agent (`defineAgent`), instead of the options' command or URL. */
  agent?: ExternalAgent;
}

/** Undefined when the run uses the built-in agents. */
export async function setUpExternalAgent(options: RunOptions, context: ExternalAgentContext): Promise<ExternalAgentSetup | undefined> {
  const model = options.model && options.model !== 'external' ? options.model : null;
  if (context.agent) return { agent: context.agent, model, takeSpans: async () => [], close: () => context.agent!.close() };
  const { agentUrl, agentCommand: command } = options;
  if (!agentUrl && !command) return undefined;
  let receiver: Promise<OtlpReceiver> | undefined;
  const startReceiver = () => (receiver ??= import('../telemetry/otlp-receiver.js').then(({ OtlpReceiver }) => OtlpReceiver.start()));
  const spans: SpanEndpoint = {
    url: async () => (await startReceiver()).url,
    expect: async (traceId: string) => (await startReceiver()).expect(traceId),
  };
  const takeSpans = async (traceId: string) => (receiver ? (await receiver).take(traceId) : []);
  const agent = agentUrl ? await httpAgent(agentUrl, options, spans) : await processAgent(command!, options, context, spans);
  return {
    agent,
    model,
    takeSpans,
    close: async () => {
      await agent.close();
      await (await receiver)?.close();
    },
  };
}

async function httpAgent(url: string, options: RunOptions, spans: SpanEndpoint): Promise<ExternalAgent> {
  const { HttpAgent } = await import('../agents/external/http-agent.js');
  return new HttpAgent({ url, timeoutMs: options.requestTimeoutSeconds * 1000, ...(options.model !== 'external' && { model: options.model }), spans });
}

async function processAgent(command: string, options: RunOptions, context: ExternalAgentContext, spans: SpanEndpoint): Promise<ExternalAgent> {
  const { ProcessAgent } = await import('../agents/external/process-agent.js');
  return new ProcessAgent({
    command,
    reuse: options.agentReuse ?? false,
    workingDirectory: options.workingDirectory,
    env: context.env,
    ...(options.agentEnv && { passedEnv: options.agentEnv }),
    ...(context.redactor && { redactor: context.redactor }),
    spans,
  });
}

/**
 * An external agent calls its own model: the run's route names it (`--model` when given, else
 * `external`) and its provider is never called. External agents run the tool tasks.
 */
export function externalAgentRoute(options: RunOptions, agent?: ExternalAgent): { resolved: ResolvedModel; provider: ModelProvider; agentTypes: AgentType[] } | undefined {
  if (!agent && !options.agentCommand && !options.agentUrl) return undefined;
  if (options.agentCommand && options.agentUrl) throw new InputError('--agent-command and --agent-url: choose one');
  if (options.securityProfile === 'closed' && options.agentCommand) {
    throw new InputError('--security-profile closed: --agent-command runs a process that agent-eval cannot keep off the network; use --agent-url with a loopback address, or the standard profile');
  }
  if (options.agentType === 'code') throw new InputError('--agent-type code: an external agent runs the tool tasks (the code agent is built in); use --agent-type tool');
  const modelId = options.model?.trim() || 'external';
  const provider: ModelProvider = {
    provider: 'external',
    modelId,
    generate: () => Promise.reject(new Error('an external agent calls its own model')),
  };
  // A process on this machine: "local" for --security-profile closed only when the agent is a loopback URL.
  const baseUrl = options.agentUrl ?? 'external-process';
  return { resolved: { provider: 'external', modelId, baseUrl, apiKey: '' }, provider, agentTypes: ['tool'] };
}
