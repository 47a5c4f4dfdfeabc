/**
 * Programmatic API. `runEvaluation` runs tasks, journaling each result to results.jsonl in the run
 * directory, and returns the run: its totals, and its results read back from the journal
 * (`readResults()` one at a time, `loadResults()` as an array for small runs), with a program's own tools (`defineTool`) and model provider
 * (a `ModelProvider`) when given, or a program's own agent (`defineAgent`, whose `callModel` and
 * `callTool` record what it does); `writeLocalJson` writes the summary files, as the CLI does.
 * SMOLTRACE's API under TypeScript names: `computeLeaderboardRow`, `loadPromptConfig`,
 * `generateDatasetNames`, `getHubUserInfo`, `updateLeaderboard`, `cleanupDatasets`.
 */
export { runEvaluation, type RunEvaluationOverrides } from './eval/run-evaluation.js';
export { DEFAULT_LOCAL_MODEL, RUN_DEFAULTS, type RunOptionsInput } from './eval/defaults.js';
export type { RunContext, RunEvent, RunOptions, RunResult, TaskResult, RunGrouping } from './eval/types.js';
export { writeLocalJson } from './sinks/local-json.js';
export { summariseRun, summariseTotals, formatSummary, formatFailedTotals } from './report/summary.js';
export { RunTotals, type ResultCounts, type FailedTask } from './eval/run-totals.js';
export { loadTasks } from './tasks/load.js';
export type { Task } from './tasks/schema.js';
export type { ModelProvider, ModelRequest, ModelResponse, Message, Usage, ToolCall } from './models/types.js';
export type { Tool, ToolContext } from './tools/types.js';
export { ToolError, defineTool } from './tools/types.js';
export { defineAgent, type AgentDefinition, type AgentTurnInput } from './agents/external/defined-agent.js';
export type { ExternalAgent } from './agents/external/types.js';
export { InputError, StartupError } from './errors.js';
export { SandboxPool } from './sandbox/pool.js';
export { TransformersProvider, type TransformersOptions } from './models/transformers.js';
export type { SandboxOptions, SandboxSession, CodeStepResult } from './sandbox/types.js';
export { loadTaskSet, hubDatasetCacheDir, type LoadTasksInput, type TaskSetSource } from './tasks/load.js';
export { publishRunDirectory, publishRunToHub, type HubPublishOptions, type HubPublishResult } from './sinks/hub.js';
export { HubClient, HubError, discoverRuns, planCleanup, executeCleanup, parseOlderThan, findLeaderboard, hubDatasetNames, pushRunToHub, readParquet, writeParquet } from './hub/index.js';
export { cleanupDatasets, generateDatasetNames, getHubUserInfo, updateLeaderboard } from './hub/api.js';
export type { CleanupDatasetsOptions, CleanupDatasetsResult, HubAccess, UpdateLeaderboardOptions } from './hub/api.js';
export type { HubDatasetNames, HubRun, PushResult } from './hub/index.js';
export { computeLeaderboardRow, loadPromptConfig, type PromptConfig } from './programmatic.js';
export type { LeaderboardLocations } from './sinks/leaderboard-row.js';
export { SEARCH_PROVIDERS, type SearchProvider } from './tools/search-providers.js';
export type { AnyTool } from './tools/types.js';
export type { CleanupOptions, CleanupPlan, CleanupResult, DiscoveredRun } from './hub/index.js';
