// Route handlers of the loopback Hub fake (hub-server.ts): JSON replies with the Hub's error
// shapes (`{error}` plus X-Error-Code), visibility and write checks, and each API route.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { canRead, canSee, isLfsPath, lfsPointer, sha256Hex, toBytes, type HubCommit, type HubFile, type HubRepo, type HubStore } from './hub-store.js';

export interface RouteOptions {
  /** http://127.0.0.1:PORT, known once listening. */
  base: () => string;
  listPageSize?: number;
  treePageSize?: number;
  lfsThreshold: number;
}

export type Handler = (ctx: Ctx) => void;
export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  body: Buffer;
  query: URLSearchParams;
  user: string | undefined;
  match: RegExpExecArray;
}

export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.writableEnded) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, code: string | undefined, message: string): void {
  send(res, status, { error: message }, code ? { 'x-error-code': code } : {});
}

function json(body: Buffer): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * The route table: [method, path pattern, handler]. `kind` 'models' gives the read routes of model
 * repos (info, tree, resolve), which live at /api/models/... and /{owner}/{name}/resolve/...
 */
export function hubRoutes(store: HubStore, options: RouteOptions, kind: 'datasets' | 'models' = 'datasets'): [string, RegExp, Handler][] {
  const api = `/api/${kind}`;
  const files = kind === 'datasets' ? '/datasets' : '';
  const lfsThreshold = options.lfsThreshold;

  /** The repo when `user` may see it; otherwise answers 401/404 and returns undefined. */
  function visibleRepo(ctx: Ctx, id: string): HubRepo | undefined {
    const repo = store.repos.get(id);
    if (repo && canSee(repo, ctx.user)) return repo;
    sendError(ctx.res, ctx.user ? 404 : 401, 'RepoNotFound', 'Repository not found');
    return undefined;
  }

  function revisionOf(ctx: Ctx, repo: HubRepo, revision: string): HubCommit | undefined {
    const commit = store.resolve(repo, revision);
    if (!commit) sendError(ctx.res, 404, 'RevisionNotFound', `Invalid rev id: ${revision}`);
    return commit;
  }

  function writableRepo(ctx: Ctx, id: string): HubRepo | undefined {
    const repo = visibleRepo(ctx, id);
    if (repo && ctx.user !== repo.owner) {
      sendError(ctx.res, 403, undefined, `You don't have the rights to write to ${id}`);
      return undefined;
    }
    return repo;
  }

  function info(repo: HubRepo, commit: HubCommit): Record<string, unknown> {
    const cardData = store.cardData(commit) as { tags?: unknown } | undefined;
    return {
      _id: sha256Hex(toBytes(repo.id)).slice(0, 24),
      id: repo.id,
      author: repo.owner,
      sha: commit.oid,
      private: repo.private,
      gated: repo.gated,
      disabled: false,
      downloads: 0,
      likes: 0,
      tags: Array.isArray(cardData?.tags) ? cardData.tags : [],
      createdAt: repo.createdAt,
      lastModified: repo.lastModified,
      ...(cardData !== undefined && { cardData }),
      siblings: [...commit.files.keys()].sort().map((rfilename) => ({ rfilename })),
    };
  }

  function page<T>(ctx: Ctx, items: T[], size: number, path: string): void {
    const cursor = Number(ctx.query.get('cursor') ?? 0);
    const slice = items.slice(cursor, cursor + size);
    const headers: Record<string, string> = {};
    if (cursor + size < items.length) {
      const next = new URLSearchParams(ctx.query);
      next.set('cursor', String(cursor + size));
      headers.link = `<${options.base()}${path}?${next.toString()}>; rel="next"`;
    }
    send(ctx.res, 200, slice, headers);
  }

  const repoId = (m: RegExpExecArray) => `${decodeURIComponent(m[1]!)}/${decodeURIComponent(m[2]!)}`;
  const R = '([^/]+)/([^/]+)';

  const routes: [string, RegExp, Handler][] = [
    ['GET', /^\/api\/whoami-v2$/, (ctx) => {
      if (!ctx.user) return sendError(ctx.res, 401, undefined, 'Invalid credentials in Authorization header');
      send(ctx.res, 200, {
        type: 'user', id: `id-${ctx.user}`, name: ctx.user, fullname: ctx.user, email: `${ctx.user}@example.test`,
        emailVerified: true, isPro: false, canPay: false, orgs: [],
        auth: { type: 'access_token', accessToken: { displayName: 'test', role: 'write', createdAt: '2026-01-01T00:00:00.000Z' } },
      });
    }],
    ['POST', /^\/api\/repos\/create$/, (ctx) => {
      const body = json(ctx.body);
      if (!ctx.user) return sendError(ctx.res, 401, undefined, 'You must be authenticated to create a repo');
      const owner = typeof body.organization === 'string' && body.organization ? body.organization : ctx.user;
      const id = `${owner}/${String(body.name)}`;
      if (body.type !== 'dataset') return sendError(ctx.res, 400, undefined, 'this fake only supports dataset repos');
      if (owner !== ctx.user) return sendError(ctx.res, 403, undefined, `You don't have the rights to create a dataset under the namespace "${owner}"`);
      if (store.repos.has(id)) return send(ctx.res, 409, { error: 'You already created this dataset repo', url: `${options.base()}/datasets/${id}` });
      const isPrivate = body.visibility !== undefined ? body.visibility !== 'public' : body.private === true;
      store.createRepo(id, { private: isPrivate });
      send(ctx.res, 200, { url: `${options.base()}/datasets/${id}`, name: id, id: sha256Hex(toBytes(id)).slice(0, 24) });
    }],
    ['DELETE', /^\/api\/repos\/delete$/, (ctx) => {
      const body = json(ctx.body);
      const id = `${String(body.organization ?? ctx.user)}/${String(body.name)}`;
      if (!ctx.user) return sendError(ctx.res, 401, undefined, 'You must be authenticated');
      if (!writableRepo(ctx, id)) return;
      store.repos.delete(id);
      send(ctx.res, 200, {});
    }],
    ['GET', /^\/api\/datasets$/, (ctx) => {
      const author = ctx.query.get('author');
      const search = ctx.query.get('search')?.toLowerCase();
      const items = [...store.repos.values()]
        .filter((repo) => canSee(repo, ctx.user) && (!author || repo.owner === author) && (!search || repo.id.toLowerCase().includes(search)))
        .map((repo) => info(repo, store.resolve(repo, 'main')!));
      const limit = Number(ctx.query.get('limit') ?? 1000);
      page(ctx, items, Math.min(limit, options.listPageSize ?? 100), '/api/datasets');
    }],
    ['GET', new RegExp(`^${api}/${R}(?:/revision/([^/]+))?$`), (ctx) => {
      const repo = visibleRepo(ctx, repoId(ctx.match));
      const commit = repo && revisionOf(ctx, repo, decodeURIComponent(ctx.match[3] ?? 'main'));
      if (repo && commit) send(ctx.res, 200, info(repo, commit));
    }],
    ['GET', new RegExp(`^${api}/${R}/tree/([^/]+)(?:/(.*))?$`), (ctx) => {
      const repo = visibleRepo(ctx, repoId(ctx.match));
      const commit = repo && revisionOf(ctx, repo, decodeURIComponent(ctx.match[3]!));
      if (!commit) return;
      const dir = ctx.match[4] ? decodeURIComponent(ctx.match[4]) : '';
      const entries = store.tree(commit, dir, ctx.query.get('recursive') === 'true');
      if (!entries) return sendError(ctx.res, 404, 'EntryNotFound', `${dir} does not exist on "${ctx.match[3]}"`);
      page(ctx, entries, options.treePageSize ?? 1000, ctx.req.url!.split('?')[0]!);
    }],
    ['GET', new RegExp(`^${files}/${R}/(resolve|raw)/([^/]+)/(.+)$`), (ctx) => serveFile(ctx)],
    ['HEAD', new RegExp(`^${files}/${R}/(resolve|raw)/([^/]+)/(.+)$`), (ctx) => serveFile(ctx)],
    ['POST', new RegExp(`^/api/datasets/${R}/preupload/([^/]+)$`), (ctx) => {
      const repo = writableRepo(ctx, repoId(ctx.match));
      const commit = repo && revisionOf(ctx, repo, decodeURIComponent(ctx.match[3]!));
      if (!commit) return;
      const attributes = commit.files.get('.gitattributes');
      const text = attributes ? new TextDecoder().decode(attributes.bytes) : '';
      const files = (json(ctx.body).files as { path: string; size: number }[] | undefined) ?? [];
      send(ctx.res, 200, {
        files: files.map((file) => {
          const lfs = file.size > lfsThreshold || isLfsPath(file.path, text);
          return { path: file.path, uploadMode: lfs ? 'lfs' : 'regular', shouldIgnore: false };
        }),
      });
    }],
    ['POST', new RegExp(`^/datasets/${R}\\.git/info/lfs/objects/batch$`), (ctx) => {
      if (!writableRepo(ctx, repoId(ctx.match))) return;
      const objects = (json(ctx.body).objects as { oid: string; size: number }[] | undefined) ?? [];
      send(ctx.res, 200, {
        transfer: 'basic',
        objects: objects.map((object) =>
          store.lfsObjects.has(object.oid)
            ? { oid: object.oid, size: object.size }
            : { oid: object.oid, size: object.size, authenticated: true, actions: { upload: { href: `${options.base()}/lfs-upload/${object.oid}`, expires_in: 3600 } } },
        ),
      }, { 'content-type': 'application/vnd.git-lfs+json' });
    }],
    ['PUT', /^\/lfs-upload\/([0-9a-f]{64})$/, (ctx) => {
      const bytes = new Uint8Array(ctx.body);
      if (sha256Hex(bytes) !== ctx.match[1]) return sendError(ctx.res, 400, undefined, 'sha256 mismatch');
      store.lfsObjects.set(ctx.match[1]!, bytes);
      ctx.res.writeHead(200, { 'content-length': 0 }).end();
    }],
    ['POST', new RegExp(`^/api/datasets/${R}/commit/([^/]+)$`), (ctx) => commitHandler(ctx)],
  ];

  function serveFile(ctx: Ctx): void {
    const repo = visibleRepo(ctx, repoId(ctx.match));
    if (!repo) return;
    if (!canRead(repo, ctx.user)) {
      return sendError(ctx.res, ctx.user ? 403 : 401, 'GatedRepo', `Access to dataset ${repo.id} is restricted. You must have access to it and be authenticated to access it. Please log in.`);
    }
    const revision = decodeURIComponent(ctx.match[4]!);
    const commit = revisionOf(ctx, repo, revision);
    if (!commit) return;
    const path = ctx.match[5]!.split('/').map(decodeURIComponent).join('/');
    const file = commit.files.get(path);
    if (!file) return sendError(ctx.res, 404, 'EntryNotFound', `Entry not found: ${path}`);
    const raw = ctx.match[3] === 'raw' && file.lfs;
    const bytes = raw ? toBytes(lfsPointer(file.bytes)) : file.bytes;
    const etag = `"${file.lfs && !raw ? sha256Hex(file.bytes) : sha256Hex(bytes).slice(0, 40)}"`;
    const headers: Record<string, string | number> = {
      'content-type': 'application/octet-stream', 'accept-ranges': 'bytes', etag, 'x-repo-commit': commit.oid,
    };
    const range = /^bytes=(\d+)-(\d*)$/.exec(String(ctx.req.headers.range ?? ''));
    let status = 200;
    let body = bytes;
    if (range) {
      const start = Number(range[1]);
      const end = Math.min(range[2] ? Number(range[2]) : bytes.byteLength - 1, bytes.byteLength - 1);
      if (start >= bytes.byteLength && bytes.byteLength > 0) {
        ctx.res.writeHead(416, { 'content-range': `bytes */${bytes.byteLength}` }).end();
        return;
      }
      status = 206;
      body = bytes.subarray(start, end + 1);
      headers['content-range'] = `bytes ${start}-${Math.max(start, end)}/${bytes.byteLength}`;
    }
    headers['content-length'] = body.byteLength;
    ctx.res.writeHead(status, headers);
    ctx.res.end(ctx.req.method === 'HEAD' ? undefined : body);
  }

  function commitHandler(ctx: Ctx): void {
    const repo = writableRepo(ctx, repoId(ctx.match));
    if (!repo) return;
    const branch = decodeURIComponent(ctx.match[3]!);
    if (!repo.branches.has(branch)) return sendError(ctx.res, 404, 'RevisionNotFound', `Invalid rev id: ${branch}`);
    const lines = ctx.body.toString('utf8').split('\n').filter((line) => line.trim()).map((line) => JSON.parse(line) as { key: string; value: Record<string, unknown> });
    const header = lines[0];
    if (header?.key !== 'header') return sendError(ctx.res, 400, undefined, 'the first line must be the header');
    const parent = header.value.parentCommit;
    const head = repo.branches.get(branch)!;
    if (typeof parent === 'string' && parent !== head) return sendError(ctx.res, 412, undefined, 'A commit has happened since. Please refresh and try again.');
    const put: Record<string, HubFile> = {};
    const remove: string[] = [];
    const current = repo.commits.get(head)!.files;
    for (const { key, value } of lines.slice(1)) {
      const path = String(value.path);
      if (key === 'file') {
        put[path] = { bytes: new Uint8Array(Buffer.from(String(value.content), value.encoding === 'base64' ? 'base64' : 'utf8')), lfs: false };
      } else if (key === 'lfsFile') {
        const bytes = store.lfsObjects.get(String(value.oid));
        if (!bytes || bytes.byteLength !== value.size) return sendError(ctx.res, 422, undefined, `LFS object ${String(value.oid)} was not uploaded`);
        put[path] = { bytes, lfs: true };
      } else if (key === 'deletedFile') {
        if (!current.has(path) && !(path in put)) return sendError(ctx.res, 404, 'EntryNotFound', `${path} does not exist`);
        remove.push(path);
      } else if (key === 'deletedFolder') {
        for (const existing of current.keys()) if (existing.startsWith(`${path.replace(/\/$/, '')}/`)) remove.push(existing);
      } else {
        return sendError(ctx.res, 400, undefined, `unknown commit line ${key}`);
      }
    }
    const commit = store.commit(repo, branch, put, remove, String(header.value.summary ?? 'commit'));
    send(ctx.res, 200, { success: true, commitOid: commit.oid, commitUrl: `${options.base()}/datasets/${repo.id}/commit/${commit.oid}`, hookOutput: '' });
  }

  // Model repos are read-only here: seeded by the test, read by the code under test.
  if (kind === 'models') return routes.filter(([method, pattern]) => (method === 'GET' || method === 'HEAD') && !/whoami|datasets/.test(pattern.source));
  return routes;
}
