import type { AgentConversation } from '../conversation.js';
import type { ExternalTaskInput } from './external-conversation.js';

/** One task's conversation with an external agent, and where the agent's own spans belong. */
export interface ExternalSession {
  conversation: AgentConversation;
  /** The W3C trace context given to the agent: its spans carry this trace id. */
  trace?: {
    traceId: string;
    parentSpanId: string;
    /**
     * The parent span id given with each turn's request, in turn order, when each turn has its own
     * (`--agent-url`: one per HTTP request); the agent's spans under one of them belong to that turn.
     */
    turnSpanIds?: () => readonly string[];
  };
}

/** An agent agent-eval did not build: a process (`--agent-command`), an HTTP endpoint (`--agent-url`), a program's function. */
export interface ExternalAgent {
  /** The agent's name on spans (`invoke_agent {name}`). */
  readonly name: string;
  start(input: ExternalTaskInput & { logPath?: string }): Promise<ExternalSession>;
  close(): Promise<void>;
}

/** Where an agent's spans go: an OTLP/HTTP endpoint that keeps the spans of the traces it expects. */
export interface SpanEndpoint {
  url(): Promise<string>;
  expect(traceId: string): Promise<void>;
}
