/** The Hugging Face Hub: client, Parquet, run publishing, cleanup and Hub task datasets. */
export { DEFAULT_HUB_URL, HubClient, HubError, hubEndpoint } from './client.js';
export type { HubClientOptions, HubDatasetEntry, HubDatasetInfo, HubErrorKind, HubFileEntry, HubUploadFile, RetryOptions } from './client.js';
export { cachedTokenPath, resolveHubToken } from './token.js';
export type { HubTokenInput, HubTokenSource, ResolvedHubToken } from './token.js';
export { inferParquetColumns, parquetColumns, readParquet, writeParquet } from './parquet.js';
export type { ParquetColumnSpec, ParquetColumnType, ParquetRow } from './parquet.js';
export { inferStreamedColumns, rowSource, writeParquetFile } from './parquet-stream.js';
export type { HubRows, HubRowSource } from './parquet-stream.js';
export { DEFAULT_PREFIX, hubDatasetNames, leaderboardFile, pushRunToHub } from './publish.js';
export type { HubDatasetNames, HubRun, PushedDataset, PushOptions, PushResult } from './publish.js';
export { discoverRuns, executeCleanup, findLeaderboard, parseOlderThan, planCleanup, RUN_PARTS } from './cleanup.js';
export type { CleanupOptions, CleanupPlan, CleanupResult, DiscoveredRun, RunPart } from './cleanup.js';
export { isHubDatasetId, loadHubTasks } from './tasks.js';
export type { HubTaskSource, LoadHubTasksInput } from './tasks.js';
export { COPYABLE_DATASETS, DEFAULT_SOURCE_USER, executeCopy, planCopy } from './copy-datasets.js';
export type { CopyableDataset, CopyPlanEntry, CopyResult } from './copy-datasets.js';
