/**
 * SMOLTRACE's smoltrace-copy-datasets: copies its task datasets (`smoltrace-benchmark-v1`,
 * `smoltrace-tasks`) from a source user to the token's user, so runs can read them from the user's
 * own namespace. Unlike SMOLTRACE (load_dataset + push_to_hub, which re-encodes), the files are copied
 * byte for byte from the source pinned at one commit, in one commit per destination, card included.
 * An existing destination gets one new commit that makes it the source's copy: files of the same name
 * are replaced and the files the source lacks are deleted (`CopyResult.deleted`), so a card's data_files
 * glob cannot pick up leftovers.
 */
import type { HubClient, HubUploadFile } from './client.js';
import { HubError } from './hub-error.js';

export const COPYABLE_DATASETS = { benchmark: 'smoltrace-benchmark-v1', tasks: 'smoltrace-tasks' } as const;
export type CopyableDataset = keyof typeof COPYABLE_DATASETS;
export const DEFAULT_SOURCE_USER = 'kshitijthakkar';

export interface CopyPlanEntry {
  source: string;
  destination: string;
  /** The destination exists already: the copy is a new commit on top of it. */
  exists: boolean;
  /** Why it is not copied (the source is already the user's). */
  skip?: string;
}

export interface CopyResult {
  source: string;
  destination: string;
  ok: boolean;
  /** The source commit copied. */
  sha?: string;
  files?: number;
  commit?: string | null;
  /** Files an existing destination had that the source lacks at the pinned commit, deleted by the copy. */
  deleted?: string[];
  error?: string;
}

/** What would be copied where; one existence check per destination. */
export async function planCopy(client: HubClient, user: string, options: { sourceUser?: string; only?: CopyableDataset } = {}): Promise<CopyPlanEntry[]> {
  const sourceUser = options.sourceUser ?? DEFAULT_SOURCE_USER;
  const names = options.only ? [COPYABLE_DATASETS[options.only]] : Object.values(COPYABLE_DATASETS);
  return Promise.all(
    names.map(async (name) => {
      const source = `${sourceUser}/${name}`;
      const destination = `${user}/${name}`;
      if (sourceUser === user) return { source, destination, exists: true, skip: 'already yours' };
      const exists = await client.datasetInfo(destination).then(
        () => true,
        (error: unknown) => {
          if (error instanceof HubError && error.kind === 'not-found') return false;
          throw error;
        },
      );
      return { source, destination, exists };
    }),
  );
}

function fallbackCard(source: string, sha: string): string {
  return `---\ntags:\n- smoltrace\n- agent-eval\n---\n\n# ${source.split('/')[1]}\n\nA copy of [${source}](https://huggingface.co/datasets/${source}) at commit \`${sha}\`, made by agent-eval copy-datasets.\n`;
}

const GIT_ATTRIBUTES = '.gitattributes';

/** Copies one dataset: pins the source's commit, downloads its files, uploads them in one commit. */
async function copyOne(client: HubClient, entry: CopyPlanEntry, isPrivate: boolean): Promise<CopyResult> {
  const { source, destination } = entry;
  try {
    const { sha } = await client.datasetInfo(source);
    const paths = (await client.listFiles(source, sha)).map((file) => file.path).filter((path) => path !== GIT_ATTRIBUTES);
    const files: HubUploadFile[] = [];
    for (const path of paths) {
      const content = await client.downloadFile(source, sha, path);
      if (content === null) throw new HubError(`Hub download ${source}/${path}: file not found at ${sha}`, 'not-found');
      files.push({ path, content });
    }
    if (!paths.includes('README.md')) files.push({ path: 'README.md', content: fallbackCard(source, sha) });
    const { created } = await client.createDatasetRepo(destination, { private: isPrivate });
    const copied = new Set(files.map((file) => file.path));
    const stale = created ? [] : (await client.listFiles(destination)).map((file) => file.path).filter((path) => path !== GIT_ATTRIBUTES && !copied.has(path));
    const { commit } = await client.uploadFiles(destination, files, `Copy of ${source}@${sha.slice(0, 7)}`, {
      description: `Copied byte for byte by agent-eval copy-datasets from ${source} at commit ${sha}.`,
      delete: stale,
    });
    return { source, destination, ok: true, sha, files: paths.length, commit, ...(stale.length > 0 && { deleted: stale }) };
  } catch (error) {
    return { source, destination, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Copies every planned dataset that is not skipped, one after the other; never throws per dataset. */
export async function executeCopy(client: HubClient, plan: readonly CopyPlanEntry[], options: { private: boolean; onResult?: (result: CopyResult) => void }): Promise<CopyResult[]> {
  const results: CopyResult[] = [];
  for (const entry of plan) {
    if (entry.skip) continue;
    const result = await copyOne(client, entry, options.private);
    options.onResult?.(result);
    results.push(result);
  }
  return results;
}
