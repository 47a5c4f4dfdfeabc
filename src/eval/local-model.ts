/**
 * Readies a local transformers.js model before any task runs (and before the run directory is
 * written): finds its files (--model-path, a local folder, or the Hugging Face cache, downloading
 * what is missing), picks the ONNX weight variant, and loads it, so a missing model or a device
 * that cannot work fails the run at the start with one line.
 */
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { InputError } from '../errors.js';
import type { ResolvedModel } from '../models/routing.js';
import { chooseDtype, transformersFiles, type Device, type Dtype, type WeightDtype } from '../models/transformers-files.js';
import type { TransformersProvider } from '../models/transformers.js';
import { DEFAULT_LOCAL_MODEL } from './defaults.js';
import type { RunContext, RunOptions } from './types.js';

export interface LocalModelInfo {
  /** Hub id, or the folder for a local model. */
  source: string;
  folder: string;
  /** The Hub commit the files come from; absent for a local folder. */
  revision?: string;
  device: Device;
  dtype: WeightDtype;
  downloadedBytes: number;
  loadSeconds: number;
}

export interface LocalModel {
  provider: TransformersProvider;
  info: LocalModelInfo;
  notices: string[];
}

const HUB_ID = /^[\w.-]+\/[\w.-]+$/;

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path;
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

/** The model's own defaults: the built-in default model answers without a thinking phase unless asked. */
function knownModelDefaults(modelId: string): Record<string, unknown> {
  return modelId.toLowerCase() === DEFAULT_LOCAL_MODEL.id.toLowerCase() ? { ...DEFAULT_LOCAL_MODEL.templateDefaults } : {};
}

async function findFolder(options: RunOptions, modelId: string, requested: Dtype, context: RunContext, closed: boolean) {
  const { ensureModelSnapshot, filesUnder, hubCacheDirectory, hubOffline } = await import('../hub/model-snapshot.js');
  const localPath = options.modelPath ?? (/^(\.{0,2}\/|~)/.test(modelId) || !HUB_ID.test(modelId) ? modelId : undefined);
  const localFolder = localPath ? resolve(expandHome(localPath)) : (await isDirectory(modelId)) ? resolve(modelId) : undefined;
  if (localFolder) {
    const flag = options.modelPath ? `--model-path ${options.modelPath}` : `--model ${modelId}`;
    if (!(await isDirectory(localFolder))) throw new InputError(`${flag}: not a folder${options.modelPath ? '' : ' (and not a Hub id "owner/name")'}`);
    const paths = await filesUnder(localFolder);
    const dtype = chooseDtype(paths, requested, localFolder);
    transformersFiles(paths, dtype, localFolder);
    return { folder: localFolder, dtype, downloadedBytes: 0 };
  }
  const { HubClient } = await import('../hub/client.js');
  const snapshot = await ensureModelSnapshot({
    repo: modelId,
    cacheDir: hubCacheDirectory(context.env),
    offline: closed || hubOffline(context.env),
    listFirst: requested === 'auto',
    select: (paths) => transformersFiles(paths, chooseDtype(paths, requested, modelId), modelId),
    client: async () => (await HubClient.fromEnvironment({ env: context.env, ...(options.hfTokenFile !== undefined && { tokenFile: options.hfTokenFile }) })).client,
    onProgress: (progress) => context.onEvent?.({ type: 'model-download', progress }),
    ...(context.signal && { signal: context.signal }),
  });
  // The snapshot holds the selected variant (and maybe others cached earlier): the same choice again.
  const dtype = chooseDtype(await filesUnder(snapshot.folder), requested, modelId);
  return { folder: snapshot.folder, dtype, revision: snapshot.sha, downloadedBytes: snapshot.downloadedBytes };
}

/** Finds, downloads if needed, and loads the local model of this run. */
export async function prepareLocalModel(options: RunOptions, resolved: ResolvedModel, context: RunContext, closed: boolean): Promise<LocalModel> {
  const isDefault = resolved.modelId.toLowerCase() === DEFAULT_LOCAL_MODEL.id.toLowerCase();
  const requested: Dtype = options.dtype ?? (isDefault ? DEFAULT_LOCAL_MODEL.dtype : 'auto');
  const device: Device = options.device ?? 'cpu';
  const found = await findFolder(options, resolved.modelId, requested, context, closed);
  const { TransformersProvider } = await import('../models/transformers.js');
  const provider = new TransformersProvider({
    modelId: resolved.modelId,
    folder: found.folder,
    device,
    dtype: found.dtype,
    timeoutMs: options.requestTimeoutSeconds * 1000,
    defaults: knownModelDefaults(resolved.modelId),
  });
  const loaded = await provider.load();
  const notices = [
    `local model ${resolved.modelId} (${found.dtype}, ${device}) loaded in ${loaded.loadSeconds.toFixed(1)} s from ${found.folder}`,
  ];
  if (options.modelArgs.seed !== undefined && Number(options.modelArgs.temperature ?? 0) > 0) {
    notices.push('--model-args seed: transformers.js sampling cannot be seeded, so sampled runs are not reproducible (temperature=0 decodes greedily)');
  }
  if (options.trustRemoteCode) notices.push('--trust-remote-code: ONNX models run no model code, so it changes nothing here');
  if (options.parallelWorkers > 1) notices.push(`the local model generates for one task at a time; --parallel-workers ${options.parallelWorkers} overlaps only tool calls`);
  return {
    provider,
    info: {
      source: options.modelPath ?? resolved.modelId,
      folder: found.folder,
      ...(found.revision && { revision: found.revision }),
      device,
      dtype: found.dtype,
      downloadedBytes: found.downloadedBytes,
      loadSeconds: loaded.loadSeconds,
    },
    notices,
  };
}
