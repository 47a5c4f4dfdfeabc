import { randomBytes } from 'node:crypto';
import type { TextRedactor } from '../../secrets/redactor.js';
import { AgentProcess } from './agent-process.js';
import { childEnvironment } from './child-environment.js';
import { ExternalConversation, type ExternalTaskInput } from './external-conversation.js';
import type { ExternalAgent, ExternalSession, SpanEndpoint } from './types.js';

export interface ProcessAgentSettings {
  /** `--agent-command`: run by the shell in `workingDirectory`. */
  command: string;
  /** `--agent-reuse`: keep processes between tasks (one per worker at most) instead of one per task. */
  reuse: boolean;
  workingDirectory: string;
  /** The caller's environment; the child gets it without secrets. */
  env: Record<string, string | undefined>;
  /** `--agent-env`: variables passed as they are, secret or not. */
  passedEnv?: Record<string, string>;
  redactor?: TextRedactor;
  spans?: SpanEndpoint;
  /** How long a process may take to exit after its stdin closes before its group is killed (default 2 s). */
  exitGraceMs?: number;
}

/** External agents run as child processes speaking the JSON-lines protocol (protocol.ts). */
export class ProcessAgent implements ExternalAgent {
  readonly name = 'external_agent';
  private readonly idle: AgentProcess[] = [];
  private readonly live = new Set<AgentProcess>();

  constructor(private readonly settings: ProcessAgentSettings) {}

  async start(input: ExternalTaskInput & { logPath?: string }): Promise<ExternalSession> {
    const traceId = randomBytes(16).toString('hex');
    const parentSpanId = randomBytes(8).toString('hex');
    const traceparent = `00-${traceId}-${parentSpanId}-01`;
    const endpoint = this.settings.spans ? await this.settings.spans.url() : undefined;
    await this.settings.spans?.expect(traceId);
    const process = (this.settings.reuse && this.idle.pop()) || this.spawn(endpoint, this.settings.reuse ? undefined : traceparent);
    process.logTo(input.logPath);
    const conversation = new ExternalConversation(process, { ...input, traceparent }, (done, healthy) => this.release(done, healthy));
    return { conversation, trace: { traceId, parentSpanId } };
  }

  async close(): Promise<void> {
    const all = [...this.live];
    this.idle.length = 0;
    await Promise.all(all.map((process) => process.stop(this.settings.exitGraceMs ?? 2000)));
  }

  private spawn(endpoint: string | undefined, traceparent: string | undefined): AgentProcess {
    const telemetry: Record<string, string> = {};
    if (endpoint) {
      telemetry.OTEL_EXPORTER_OTLP_ENDPOINT = endpoint;
      telemetry.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = `${endpoint}/v1/traces`;
    }
    if (traceparent) telemetry.TRACEPARENT = traceparent;
    const process = new AgentProcess({
      command: this.settings.command,
      cwd: this.settings.workingDirectory,
      env: childEnvironment(this.settings.env, { ...(this.settings.redactor && { redactor: this.settings.redactor }), ...(this.settings.passedEnv && { passed: this.settings.passedEnv }), telemetry }),
      ...(this.settings.redactor && { redactor: this.settings.redactor }),
    });
    this.live.add(process);
    void process.exited.then(() => this.live.delete(process));
    return process;
  }

  /** After a task: a healthy reused process waits for the next one; any other exits (or is killed). */
  private async release(process: AgentProcess, healthy: boolean): Promise<void> {
    if (this.settings.reuse && healthy) {
      process.logTo(undefined);
      this.idle.push(process);
      return;
    }
    if (!healthy) {
      process.kill();
      await process.exited;
      process.logTo(undefined);
      return;
    }
    await process.stop(this.settings.exitGraceMs ?? 2000);
  }
}
