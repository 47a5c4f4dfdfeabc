import type { ModelResponse, Message, ToolCall, Usage } from '../models/types.js';

export type AgentType = 'tool' | 'code';

export type ErrorKind = 'model' | 'tool' | 'infrastructure' | 'timeout' | 'sandbox';

/** Wall-clock time in epoch milliseconds with sub-millisecond precision. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

export type Step =
  | {
      type: 'model-call';
      index: number;
      response: ModelResponse;
      /** Epoch ms when the call started (for spans); durationMs is its wall time. */
      startedAtMs: number;
      durationMs: number;
      /** Messages sent: the first `inputMessageCount` messages of the run's history. */
      inputMessageCount: number;
      /** The messages sent, as an external agent reported them (`model_call.messages`): in place of the history's. */
      inputMessages?: Message[];
      /** Read from an external agent's own spans (which stand in traces.json): counted, not drawn again. */
      fromSpans?: boolean;
    }
  | {
      type: 'tool-call';
      index: number;
      call: ToolCall;
      output: string;
      isError: boolean;
      startedAtMs: number;
      durationMs: number;
      resources?: ResourceUsage;
      /** 'native': a provider tool call; 'text': parsed from an Action: blob; 'code': called from Python. */
      source: 'native' | 'text' | 'code';
      /** Read from an external agent's own execute_tool span (which stands in traces.json): counted, not drawn again. */
      fromSpans?: boolean;
    }
  | { type: 'parse-error'; index: number; message: string }
  | { type: 'code'; index: number; code: string; stdout: string; error?: string; startedAtMs: number; durationMs: number };

/** What a tool call cost the process: CPU time, peak RSS, file system I/O (children included when any). */
export interface ResourceUsage {
  cpuUserMs: number;
  cpuSystemMs: number;
  maxRssKiB: number;
  fsReadOps: number;
  fsWriteOps: number;
  exitCode?: number;
}

export type StopReason = 'final-answer' | 'max-steps' | 'timeout' | 'error' | 'aborted';

export interface AgentRun {
  agentType: AgentType;
  steps: Step[];
  messages: Message[];
  finalAnswer?: string;
  usage: Usage;
  /** Model calls made (each may have needed retries). */
  modelCalls: number;
  /** Number of action steps (model turns), SMOLTRACE's ActionStep count. */
  actionSteps: number;
  stopReason: StopReason;
  error?: { kind: ErrorKind; message: string };
}

/** Names of the tools actually called, in order, excluding final_answer. */
export function toolsUsed(run: Pick<AgentRun, 'steps'>, finalAnswerTool = 'final_answer'): string[] {
  const names: string[] = [];
  for (const step of run.steps) {
    if (step.type === 'tool-call' && step.call.name !== finalAnswerTool) names.push(step.call.name);
  }
  return names;
}
