// A loopback fake of the Hugging Face Hub API subset that @huggingface/hub 2.17 uses for datasets
// (and the read routes of model repos: info, tree, resolve):
// whoami, create/delete repo, dataset info, list, tree, resolve (with Range), preupload, LFS batch
// (basic transfer, upload URL on this server), the NDJSON commit endpoint. Repos live in memory
// (hub-store.ts). Private repos are invisible to other users (401 anonymous, 404 otherwise); gated
// repos refuse downloads without granted access. `fail()` injects errors for retry tests.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hubRoutes, sendError } from './hub-routes.js';
import { HubStore, type CreateRepoOptions, type FileContent, type HubRepo } from './hub-store.js';
import { HubJobs, hubJobsRoutes } from './hub-jobs-routes.js';

export interface HubServerOptions {
  /** token -> user name. Tokens must start with "hf_" for the client to send them. */
  users: Record<string, string>;
  listPageSize?: number;
  treePageSize?: number;
  /** Files above this size go through LFS even without a .gitattributes rule; default 10 MB. */
  lfsThreshold?: number;
}

export interface FailureRule {
  method?: string;
  /** A substring of the path or a RegExp tested against it. */
  path: string | RegExp;
  /** An HTTP status, or 'reset' to destroy the connection (a network error). */
  status: number | 'reset';
  /** How many matching requests fail; default 1. */
  times?: number;
  /** How many matching requests pass before the failures start; default 0. */
  after?: number;
}

export interface RecordedHubRequest {
  method: string;
  path: string;
  query: string;
  user: string | undefined;
  status?: number;
}

export interface SeedOptions extends CreateRepoOptions {
  tag?: string;
  title?: string;
}

export interface HubServer {
  url: string;
  store: HubStore;
  repos: Map<string, HubRepo>;
  requests: RecordedHubRequest[];
  /** Hugging Face Jobs (hub-jobs-routes.ts). */
  jobs: HubJobs;
  fail(rule: FailureRule): void;
  /** Creates a dataset repo (or reuses it) and commits `files` on main; returns the commit sha. */
  seedDataset(id: string, files: Record<string, FileContent>, options?: SeedOptions): string;
  /** Creates a model repo (or reuses it) and commits `files` on main; returns the commit sha. Model repos are read-only. */
  seedModel(id: string, files: Record<string, FileContent>, options?: SeedOptions): string;
  /** Commits to an existing repo; returns the commit sha. */
  commitFiles(id: string, files: Record<string, FileContent>, options?: { remove?: string[]; tag?: string; title?: string }): string;
  readFile(id: string, path: string, revision?: string): Uint8Array | undefined;
  close(): Promise<void>;
}

export async function startHubServer(options: HubServerOptions): Promise<HubServer> {
  const store = new HubStore();
  const modelStore = new HubStore();
  const failures: Required<FailureRule>[] = [];
  const requests: RecordedHubRequest[] = [];
  let base = '';
  const routeOptions = {
    base: () => base,
    lfsThreshold: options.lfsThreshold ?? 10 * 1024 * 1024,
    ...(options.listPageSize && { listPageSize: options.listPageSize }),
    ...(options.treePageSize && { treePageSize: options.treePageSize }),
  };
  const jobs = new HubJobs();
  const routes = [...hubRoutes(store, routeOptions), ...hubRoutes(modelStore, routeOptions, 'models'), ...hubJobsRoutes(jobs)];

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const user = token === undefined ? undefined : options.users[token];
      const method = req.method ?? 'GET';
      const record: RecordedHubRequest = { method, path: url.pathname, query: url.search, user };
      requests.push(record);
      res.on('finish', () => (record.status = res.statusCode));
      const failure = failures.find((rule) => rule.times > 0 && (!rule.method || rule.method === method) &&
        (typeof rule.path === 'string' ? url.pathname.includes(rule.path) : rule.path.test(url.pathname)));
      if (failure && failure.after > 0) failure.after--;
      else if (failure) {
        failure.times--;
        if (failure.status === 'reset') return void res.socket?.destroy();
        return sendError(res, failure.status, undefined, `injected failure ${failure.status}`);
      }
      if (token !== undefined && user === undefined && !url.pathname.startsWith('/lfs-upload/')) {
        return sendError(res, 401, undefined, 'Invalid credentials in Authorization header');
      }
      for (const [routeMethod, pattern, handler] of routes) {
        const match = routeMethod === method ? pattern.exec(url.pathname) : null;
        if (match) {
          try {
            return handler({ req, res, body: Buffer.concat(chunks), query: url.searchParams, user, match });
          } catch (error) {
            return sendError(res, 500, undefined, String(error));
          }
        }
      }
      sendError(res, 404, undefined, `no route for ${method} ${url.pathname}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const commitFiles: HubServer['commitFiles'] = (id, files, commitOptions = {}) => {
    const repo = store.repos.get(id);
    if (!repo) throw new Error(`no repo ${id}`);
    const commit = store.commit(repo, 'main', files, commitOptions.remove ?? [], commitOptions.title ?? 'seed');
    if (commitOptions.tag) repo.tags.set(commitOptions.tag, commit.oid);
    return commit.oid;
  };

  return {
    url: base,
    store,
    repos: store.repos,
    requests,
    jobs,
    fail(rule) {
      failures.push({ method: '', times: 1, after: 0, ...rule });
    },
    seedDataset(id, files, seedOptions = {}) {
      if (!store.repos.has(id)) store.createRepo(id, seedOptions);
      return commitFiles(id, files, { ...(seedOptions.tag && { tag: seedOptions.tag }), title: seedOptions.title ?? 'seed' });
    },
    commitFiles,
    seedModel(id, files, seedOptions = {}) {
      const repo = modelStore.repos.get(id) ?? modelStore.createRepo(id, seedOptions);
      const lfsRules = '*.onnx filter=lfs diff=lfs merge=lfs -text\n*.onnx_data filter=lfs diff=lfs merge=lfs -text\n';
      const commit = modelStore.commit(repo, 'main', { '.gitattributes': lfsRules, ...files }, [], seedOptions.title ?? 'seed');
      if (seedOptions.tag) repo.tags.set(seedOptions.tag, commit.oid);
      return commit.oid;
    },
    readFile(id, path, revision = 'main') {
      const repo = store.repos.get(id);
      return repo && store.resolve(repo, revision)?.files.get(path)?.bytes;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
