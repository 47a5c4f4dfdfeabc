import type { SandboxIsolation } from '../sandbox/launch.js';
import type { SandboxLimitOptions } from '../sandbox/limits.js';
import type { DownloadProgress } from '../hub/model-snapshot.js';
import type { LocalModelInfo } from './local-model.js';
import type { Device, Dtype } from '../models/transformers-files.js';
import type { AgentType, ErrorKind, ResourceUsage, StopReason } from '../agents/types.js';
import type { OpenAIMessage } from '../models/openai-messages.js';
import type { ProviderChoice } from '../models/routing.js';
import type { Difficulty } from '../tasks/schema.js';
import type { FailureReason } from '../scoring/failure.js';
import type { Scores } from '../scoring/types.js';
import type { TraceDocument } from '../telemetry/trace-document.js';
import type { GenerationParameters } from '../models/types.js';
import type { EnvironmentInfo } from './environment.js';
import type { EnergyReportForRun } from './energy.js';
import type { McpServerSpec } from '../tools/mcp-spec.js';
import type { SearchProvider } from '../tools/search-providers.js';
import type { SecurityProfile } from './security.js';
import type { TaskSetSource } from '../tasks/load.js';
import type { SecretRedactor } from '../secrets/redactor.js';
import type { JournalRecordAt } from './journal-reader.js';
import type { RunTotals } from './run-totals.js';
import type { CacheMode, CacheReport } from '../models/response-cache.js';
import type { ConcurrencyReport } from '../models/concurrency-limiter.js';
import type { ShardSpec } from '../scale/shard.js';

export type AgentTypeOption = AgentType | 'both';

/** Everything `runEvaluation` needs. The CLI builds it from flags; programs build it directly. */
export interface RunOptions {
  model: string;
  provider: ProviderChoice;
  baseUrl?: string;
  /** Hugging Face Inference Provider for hf/ models (SMOLTRACE's --hf-inference-provider). */
  hfInferenceProvider?: string;
  /** Local models (provider transformers): ONNX Runtime device; default cpu. */
  device?: Device;
  /** Local models: ONNX weight variant; default auto (q4 for the built-in default model). */
  dtype?: Dtype;
  /** Local models: a folder with the model files, instead of the Hub or the cache. */
  modelPath?: string;
  /** SMOLTRACE's flag, accepted and recorded; ONNX models carry no code, so it changes nothing. */
  trustRemoteCode?: boolean;
  agentType: AgentTypeOption;
  difficulty?: Difficulty;
  /** 'builtin' or a local .json/.jsonl path. */
  datasetName: string;
  split: string;
  /** Hub datasets: branch, tag or commit sha. */
  datasetRevision?: string;
  hfTokenFile?: string;
  outputDir: string;
  promptYml?: string;
  runId?: string;
  parallelWorkers: number;
  workingDirectory: string;
  /** Generation parameters for the provider (temperature, top_p, max_tokens, seed, stop, ...). */
  modelArgs: Record<string, unknown>;
  maxSteps?: number;
  /** Code agent: imports allowed beyond smolagents' base list. */
  additionalImports?: string[];
  /** Code agent: wall-clock limit per Python code step, seconds (default 30). */
  codeTimeoutSeconds?: number;
  /** Code agent: caps the harness enforces on the sandbox (`--sandbox-limit`). */
  sandboxLimits?: SandboxLimitOptions;
  limit?: number;
  taskIds?: string[];
  /** Per-task wall-clock limit, seconds. */
  timeoutSeconds: number;
  /** Per-request limit for model calls, seconds. */
  requestTimeoutSeconds: number;
  maxRetries: number;
  /** Continue the run in this directory, skipping tasks already recorded (but not infrastructure errors). */
  resume?: string;
  /** With resume: also run again the tasks whose last record is a timeout. */
  retryErrors?: boolean;
  /** Where the CLI sends the run (recorded in the effective policy). */
  outputFormat?: 'json' | 'hub';
  /** Optional tools by name or group (`files`, `system`), SMOLTRACE's --enable-tools. */
  enableTools?: string[];
  /** web_search's backend (SMOLTRACE's --search-provider): duckduckgo (default), serper (SERPER_API_KEY) or brave (BRAVE_API_KEY). */
  searchProvider?: SearchProvider;
  /** MCP servers whose tools the agents get (parsed --mcp-server-url / --mcp-server-command values). */
  /** Extra environment for stdio MCP servers (`--mcp-server-env`); values never reach metadata. */
  mcpServerEnv?: Record<string, string>;
  mcpServers?: McpServerSpec[];
  /** `closed` keeps everything on this machine (SMOLTRACE's bfsi-closed). */
  securityProfile?: SecurityProfile;
  /** Record OpenTelemetry spans (traces.json, and OTLP when an endpoint is set). */
  enableOtel?: boolean;
  /** OTLP/HTTP endpoint for spans (default: OTEL_EXPORTER_OTLP_ENDPOINT); setting one enables tracing. */
  otlpEndpoint?: string;
  /** Put message content and tool arguments/results on spans (default true). */
  captureContent?: boolean;
  /** GPU/energy sampling: undefined = on for local providers (ollama, transformers), off for APIs. */
  gpuMetrics?: boolean;
  gpuSampleIntervalSeconds?: number;
  /** Data-centre power usage effectiveness (default 1.0). */
  pue?: number;
  /** Grid carbon intensity in gCO2e/kWh (default 475), or a country's from `country` (ISO 3166 alpha-3). */
  carbonIntensity?: number;
  country?: string;
  /** USD per kWh (default 0.12). */
  electricityPrice?: number;
  /** Custom token prices (JSON), overriding the bundled price table. */
  pricingFile?: string;
  /** Leaderboard grouping (SMOLTRACE's --use-case, --team, --purpose, --suite-version); never inferred. */
  grouping?: RunGrouping;
  /** Record/replay of model responses (`--cache`, default off) and the store's folder (default: agent-eval's cache). */
  cache?: CacheMode;
  cacheDir?: string;
  /** AIMD concurrency on 429/503 (default true) and per-minute caps per provider. */
  adaptiveConcurrency?: boolean;
  maxRequestsPerMinute?: number;
  maxTokensPerMinute?: number;
  /** Run only this shard's tasks (`--shard I/N`). */
  shard?: ShardSpec;
  /** An external agent process speaking docs/agent-protocol.md (`--agent-command "CMD ARGS"`), instead of the built-in tool agent. */
  agentCommand?: string;
  /** An OpenAI-compatible chat completions endpoint that is the agent (`--agent-url`). */
  agentUrl?: string;
  /** Keep external agent processes between tasks (`--agent-reuse`) instead of one per task. */
  agentReuse?: boolean;
  /** Variables passed to the external agent as they are (`--agent-env`); values never reach metadata. */
  agentEnv?: Record<string, string>;
  /** The simulated user of multi-turn tasks (`--user-model`, `--user-base-url`, `--user-args`). */
  userModel?: string;
  userBaseUrl?: string;
  userArgs?: Record<string, unknown>;
  /** Scorers for every task (`--scorer`), overriding the rows' `scorer`/`scorers`; absent: the rows', else smoltrace. */
  scorers?: string[];
  /** The LLM judge (`--judge-model` and its flags). */
  judge?: JudgeOptions;
  /** Rollouts per task (`--repeats K`, alias `--epochs`); default 1. */
  repeats?: number;
  /** Hub datasets: the configuration (subset) to read, e.g. GAIA's 2023_level1 (`--dataset-config`). */
  datasetConfig?: string;
  /** Task field = dataset column (`--column-map`, or `columns:` in `--task-config`). */
  columnMap?: Record<string, string>;
  /** `--task-config` YAML: columns, and defaults for the rows (scorer, agent_type, difficulty). */
  taskConfig?: string;
}

export interface JudgeOptions {
  /** LiteLLM-style id of the judge model (any supported provider). */
  model: string;
  baseUrl?: string;
  /** Generation parameters for the judge (`--judge-args`); temperature 0 unless given. */
  args?: Record<string, unknown>;
  /** `--judge-rubric` YAML: criteria, scale, pass_threshold, examples. */
  rubricFile?: string;
  /** Put the agent's trajectory into the judge's request (`--judge-trajectory`). */
  trajectory?: boolean;
  /** Allow the judge to be the evaluated model (`--allow-self-judge`). */
  allowSelfJudge?: boolean;
}

export const PURPOSES = ['selection', 'regression', 'monitoring'] as const;

export interface RunGrouping {
  useCase?: string;
  team?: string;
  purpose?: (typeof PURPOSES)[number];
  suiteVersion?: string;
}

export interface RunContext {
  env: Record<string, string | undefined>;
  /** Aborting stops the run: running tasks are abandoned (not recorded), finished ones are kept. */
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
  now?: () => Date;
  /** The run's secret redactor (the CLI's, so its console lines know the same secrets); default: one from `env`. */
  redactor?: SecretRedactor;
}

export type RunEvent =
  | { type: 'run-start'; runId: string; runDirectory: string; total: number; alreadyDone: number }
  | { type: 'task-start'; taskId: string; agentType: AgentType }
  | { type: 'task-end'; result: TaskResult; done: number; total: number }
  | { type: 'tool-call'; taskId: string; name: string; arguments: unknown; isError: boolean }
  | { type: 'notice'; message: string }
  | { type: 'concurrency'; limit: number; max: number }
  | { type: 'model-download'; progress: DownloadProgress };

export interface ToolCallRecord {
  step: number;
  name: string;
  arguments: unknown;
  output: string;
  is_error: boolean;
  duration_ms: number;
  /** CPU time, peak RSS and file system operations around the call (an upper bound under concurrency). */
  resources?: ResourceUsage;
}

/** One finished task, as journaled in results.jsonl. Field names follow SMOLTRACE's result keys. */
export interface TaskResult {
  run_id: string;
  test_index: number;
  test_id: string;
  test_case_uid: string;
  agent_type: AgentType;
  difficulty: Difficulty;
  category: string | null;
  prompt: string;
  expected_tool: string | null;
  expected_tool_calls: number | null;
  success: boolean;
  tool_called: boolean;
  correct_tool: boolean;
  final_answer_called: boolean;
  response_correct: boolean;
  error: string | null;
  /** Errors only (null when the task failed on scoring); see failure_reason for why any task failed. */
  error_kind: ErrorKind | null;
  /** Why the task failed, a stable code; null when it passed. */
  failure_reason: FailureReason | null;
  /** One sentence naming the expected and the actual values; null when it passed. */
  failure_detail: string | null;
  response: string | null;
  tools_used: string[];
  /** The tools the agent was offered for this task, by name (metadata.json `offered_tools` has their definitions); absent in older journals. */
  tools_offered?: string[];
  steps: number;
  stop_reason: StopReason;
  trace_id: string | null;
  span_id: string | null;
  started_at: string;
  execution_time_ms: number;
  model_calls: number;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  reasoning_tokens: number;
  total_tokens: number;
  /** Unknown until pricing exists: null, never 0. */
  cost_usd: number | null;
  tool_calls: ToolCallRecord[];
  messages: OpenAIMessage[];
  /** Which rollout of the task this is (0..K-1) with `--repeats K`; absent in runs without repeats. */
  repeat?: number;
  /** Every scorer's verdict by name; `success` is the first one's. Absent in journals of older versions. */
  scores?: Scores;
  /** The LLM judge's usage and cost for this task, apart from the evaluated model's; null without a judge. */
  judge_input_tokens?: number | null;
  judge_output_tokens?: number | null;
  judge_cost_usd?: number | null;
  /** Dialogue tasks (a `user` block): agent replies, user messages, why the dialogue ended, tool calls per agent turn; null otherwise. */
  turns?: number | null;
  user_turns?: number | null;
  dialogue_stop_reason?: string | null;
  turn_tool_calls?: number[] | null;
  /** The simulated user's tokens and cost, kept apart from the agent's; null without a dialogue (cost: or an unknown price). */
  user_input_tokens?: number | null;
  user_output_tokens?: number | null;
  user_cost_usd?: number | null;
  /** The model an external agent reported (its endpoint's reply, its model_call reports) when --model was not given; absent otherwise. */
  model?: string;
  /** The task's trace when tracing is on (written to traces.json, not to results.json). */
  trace?: TraceDocument;
}

export interface RunResult {
  runId: string;
  runDirectory: string;
  options: RunOptions;
  /** The model an external agent reported (the first task's that named one) when --model was not given: recorded as the run's model. */
  reportedModel?: string;
  /** Routed provider ("openai", "groq", "custom", ...) and the model id sent to it. */
  modelProvider: string;
  modelId: string;
  startedAt: string;
  finishedAt: string;
  /** Figures over all results of the run, including those recorded before a resume (incremental: no array of results). */
  totals: RunTotals;
  /** The journal and where each task's last line lies in it, in test_index order: what readResults reads. */
  journal: { path: string; records: readonly JournalRecordAt[] };
  /** All results of the run, including those recorded before a resume, read back from the journal one at a time in test_index order. */
  readResults(): AsyncIterable<TaskResult>;
  /** The same results in one array: convenient for small runs, but it holds every result in memory. */
  loadResults(): Promise<TaskResult[]>;
  /** Tasks selected for the run (done or not). */
  plannedTasks: number;
  interrupted: boolean;
  /** Set when the run stopped itself before the end (the model endpoint unreachable): one line. */
  stoppedBecause?: string;
  notices: string[];
  /** Machine, runtime and harness version. */
  environment: EnvironmentInfo;
  /** sha256 of each prompt template used. */
  promptHashes: Record<string, string>;
  /** The run-wide tools offered to each agent type, as OpenAI tool definitions (metadata.json `offered_tools`; export's `tools`). */
  offeredTools?: Record<string, unknown[]>;
  /** Generation parameters sent with every model call. */
  generation: GenerationParameters;
  energy: EnergyReportForRun;
  /** GenAI client histograms (token usage, operation duration) as OTLP-JSON resourceMetrics; empty without tracing. */
  clientMetrics: unknown[];
  /** Where the tasks came from (Hub: the commit sha). */
  datasetSource?: TaskSetSource;
  /** Where a local model came from and how it ran (provider transformers). */
  localModel?: LocalModelInfo;
  /** How the Python sandbox was isolated (code tasks only). */
  sandboxIsolation?: SandboxIsolation;
  /** Scrubs the run's secrets from everything written or published (the sinks use it). */
  redactor?: SecretRedactor;
  /** Record/replay counts (`--cache` other than off), and how concurrency moved (API providers). */
  cache?: CacheReport;
  concurrency?: ConcurrencyReport;
}
