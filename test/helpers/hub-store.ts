// In-memory repositories for the loopback Hub fake (hub-server.ts): commits as full file snapshots,
// branches and tags, LFS objects, visibility and gating, and the dataset card's YAML front matter.
import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';

export interface HubFile {
  bytes: Uint8Array;
  /** Stored through LFS (the tree then reports `lfs: {oid, size, pointerSize}`). */
  lfs: boolean;
}

export interface HubCommit {
  oid: string;
  title: string;
  parent: string | null;
  date: string;
  files: Map<string, HubFile>;
}

export interface HubRepo {
  /** "owner/name" */
  id: string;
  owner: string;
  private: boolean;
  gated: false | 'auto' | 'manual';
  /** Users granted access to a gated repo (the owner always has it). */
  gatedAccess: Set<string>;
  createdAt: string;
  lastModified: string;
  branches: Map<string, string>;
  tags: Map<string, string>;
  commits: Map<string, HubCommit>;
}

export interface CreateRepoOptions {
  private?: boolean;
  gated?: false | 'auto' | 'manual';
  /** ISO time; default now. */
  createdAt?: string;
}

export type FileContent = string | Uint8Array;

export const GITATTRIBUTES = '*.parquet filter=lfs diff=lfs merge=lfs -text\n*.arrow filter=lfs diff=lfs merge=lfs -text\n';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Git's blob id: sha1 of "blob SIZE\0" + content. */
export function gitBlobOid(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.byteLength}\0`).update(bytes).digest('hex');
}

export function lfsPointer(bytes: Uint8Array): string {
  return `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256Hex(bytes)}\nsize ${bytes.byteLength}\n`;
}

export function toBytes(content: FileContent): Uint8Array {
  return typeof content === 'string' ? new TextEncoder().encode(content) : content;
}

/** Whether `path` matches a pattern line of .gitattributes marked `filter=lfs` (only `*.ext` and exact names). */
export function isLfsPath(path: string, gitattributes: string | undefined): boolean {
  for (const line of (gitattributes ?? '').split('\n')) {
    const [pattern, ...attributes] = line.trim().split(/\s+/);
    if (!pattern || !attributes.includes('filter=lfs')) continue;
    const base = path.split('/').pop() ?? path;
    if (pattern.startsWith('*.') ? base.endsWith(pattern.slice(1)) : pattern === path || pattern === base) return true;
  }
  return false;
}

export class HubStore {
  readonly repos = new Map<string, HubRepo>();
  readonly lfsObjects = new Map<string, Uint8Array>();
  private counter = 0;

  createRepo(id: string, options: CreateRepoOptions = {}): HubRepo {
    const [owner] = id.split('/');
    const now = options.createdAt ?? new Date().toISOString();
    const repo: HubRepo = {
      id,
      owner: owner!,
      private: options.private ?? false,
      gated: options.gated ?? false,
      gatedAccess: new Set(),
      createdAt: now,
      lastModified: now,
      branches: new Map(),
      tags: new Map(),
      commits: new Map(),
    };
    this.repos.set(id, repo);
    this.commit(repo, 'main', { '.gitattributes': GITATTRIBUTES }, [], 'initial commit', undefined, now);
    return repo;
  }

  /** A branch, a tag or a full (or 7+ character) commit id; undefined when unknown. */
  resolve(repo: HubRepo, revision: string): HubCommit | undefined {
    const oid = repo.branches.get(revision) ?? repo.tags.get(revision);
    if (oid) return repo.commits.get(oid);
    if (revision === 'HEAD') return this.resolve(repo, 'main');
    if (/^[0-9a-f]{7,40}$/.test(revision)) {
      for (const commit of repo.commits.values()) if (commit.oid.startsWith(revision)) return commit;
    }
    return undefined;
  }

  /**
   * Adds a commit on `branch` on top of its head: `put` files (regular unless their path is LFS-tracked
   * by .gitattributes or listed in `lfs`), then `remove` paths. Returns the new commit.
   */
  commit(
    repo: HubRepo,
    branch: string,
    put: Record<string, FileContent | HubFile>,
    remove: readonly string[],
    title: string,
    lfs?: ReadonlySet<string>,
    date = new Date().toISOString(),
  ): HubCommit {
    const parentOid = repo.branches.get(branch) ?? null;
    const files = new Map(parentOid ? repo.commits.get(parentOid)!.files : []);
    const gitattributes = put['.gitattributes'] ?? files.get('.gitattributes');
    const attributesText =
      gitattributes === undefined ? undefined : new TextDecoder().decode(isHubFile(gitattributes) ? gitattributes.bytes : toBytes(gitattributes));
    for (const [path, content] of Object.entries(put)) {
      if (isHubFile(content)) files.set(path, content);
      else files.set(path, { bytes: toBytes(content), lfs: (lfs?.has(path) ?? false) || isLfsPath(path, attributesText) });
    }
    for (const path of remove) files.delete(path);
    const oid = createHash('sha1').update(`${repo.id}\0${++this.counter}\0${title}\0${date}`).digest('hex');
    const commit: HubCommit = { oid, title, parent: parentOid, date, files };
    repo.commits.set(oid, commit);
    repo.branches.set(branch, oid);
    repo.lastModified = date;
    return commit;
  }

  /** The parsed YAML front matter of README.md at `commit`, or undefined. */
  cardData(commit: HubCommit): unknown {
    const readme = commit.files.get('README.md');
    if (!readme) return undefined;
    const text = new TextDecoder().decode(readme.bytes);
    const match = /^---\r?\n([\s\S]*?)\r?\n---\s*(\r?\n|$)/.exec(text);
    if (!match) return undefined;
    try {
      return parseYaml(match[1]!) ?? undefined;
    } catch {
      return undefined;
    }
  }

  /** Tree entries under `dir` ('' for the root), recursive or one level, sorted by path. */
  tree(commit: HubCommit, dir: string, recursive: boolean): Record<string, unknown>[] | undefined {
    const prefix = dir ? `${dir.replace(/\/+$/, '')}/` : '';
    const entries = new Map<string, Record<string, unknown>>();
    let found = prefix === '';
    for (const [path, file] of commit.files) {
      if (!path.startsWith(prefix)) continue;
      found = true;
      const rest = path.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash !== -1) {
        const parts = rest.split('/');
        const depth = recursive ? parts.length - 1 : 1;
        for (let i = 1; i <= depth; i++) {
          const dirPath = prefix + parts.slice(0, i).join('/');
          entries.set(dirPath, { type: 'directory', oid: gitBlobOid(toBytes(dirPath)), size: 0, path: dirPath });
        }
        if (!recursive) continue;
      }
      entries.set(path, fileEntry(path, file));
    }
    if (!found) return undefined;
    return [...entries.values()].sort((left, right) => String(left.path).localeCompare(String(right.path)));
  }
}

function isHubFile(value: unknown): value is HubFile {
  return typeof value === 'object' && value !== null && 'bytes' in value && 'lfs' in value;
}

function fileEntry(path: string, file: HubFile): Record<string, unknown> {
  if (!file.lfs) return { type: 'file', oid: gitBlobOid(file.bytes), size: file.bytes.byteLength, path };
  const pointer = toBytes(lfsPointer(file.bytes));
  return {
    type: 'file',
    oid: gitBlobOid(pointer),
    size: file.bytes.byteLength,
    path,
    lfs: { oid: sha256Hex(file.bytes), size: file.bytes.byteLength, pointerSize: pointer.byteLength },
  };
}

/** Whether `user` may see `repo` at all (public, or a private repo of their own). */
export function canSee(repo: HubRepo, user: string | undefined): boolean {
  return !repo.private || (user !== undefined && user === repo.owner);
}

/** Whether `user` may download files of `repo` (gated repos need granted access). */
export function canRead(repo: HubRepo, user: string | undefined): boolean {
  if (!canSee(repo, user)) return false;
  if (!repo.gated) return true;
  return user !== undefined && (user === repo.owner || repo.gatedAccess.has(user));
}
