// Loopback Hugging Face Jobs routes for the fake Hub (hub-server.ts), in the wire format of
// huggingface_hub's jobs client: POST /api/jobs/{namespace} takes a job spec and answers the job
// (secrets hidden, as the Hub encrypts them), GET lists or inspects, GET .../logs streams
// `data: {"data", "timestamp"}` events and ends, POST .../cancel cancels. Tests move jobs through
// their stages with `finish` and give them log lines with `log`.
import { randomBytes } from 'node:crypto';
import type { Ctx, Handler } from './hub-routes.js';
import { send, sendError } from './hub-routes.js';

export interface LoopbackJob {
  id: string;
  namespace: string;
  createdAt: string;
  spec: Record<string, unknown>;
  stage: string;
  message: string | null;
  logs: string[];
}

export class HubJobs {
  readonly jobs = new Map<string, LoopbackJob>();
  /** Every submitted body, as received (to check what was sent, secrets included). */
  readonly submissions: Record<string, unknown>[] = [];
  private created = 0;

  finish(id: string, stage: 'COMPLETED' | 'ERROR' | 'CANCELED' | 'RUNNING', message: string | null = null): void {
    const job = this.jobs.get(id);
    if (!job) throw new Error(`no job ${id}`);
    job.stage = stage;
    job.message = message;
  }

  log(id: string, ...lines: string[]): void {
    this.jobs.get(id)?.logs.push(...lines);
  }

  submit(namespace: string, spec: Record<string, unknown>): LoopbackJob {
    // Creation order is kept in createdAt (one millisecond apart), as the Hub's timestamps would.
    const createdAt = new Date(Date.UTC(2026, 0, 1) + this.created++).toISOString();
    const job: LoopbackJob = { id: randomBytes(12).toString('hex'), namespace, createdAt, spec, stage: 'RUNNING', message: null, logs: [] };
    this.jobs.set(job.id, job);
    return job;
  }

  view(job: LoopbackJob): Record<string, unknown> {
    const { secrets, ...spec } = job.spec as { secrets?: Record<string, string> };
    return {
      id: job.id,
      createdAt: job.createdAt,
      ...spec,
      // The Hub answers secret names only.
      secrets: Object.fromEntries(Object.keys(secrets ?? {}).map((name) => [name, '***'])),
      status: { stage: job.stage, message: job.message },
      owner: { id: `id-${job.namespace}`, name: job.namespace, type: 'user' },
    };
  }
}

function owned(ctx: Ctx, jobs: HubJobs, namespace: string, id?: string) {
  if (!ctx.user) return void sendError(ctx.res, 401, undefined, 'Invalid credentials');
  if (ctx.user !== namespace) return void sendError(ctx.res, 403, undefined, `You cannot run jobs in ${namespace}`);
  if (id === undefined) return true;
  const job = jobs.jobs.get(id);
  if (!job || job.namespace !== namespace) return void sendError(ctx.res, 404, undefined, 'Job not found');
  return job;
}

export function hubJobsRoutes(jobs: HubJobs): [string, RegExp, Handler][] {
  const namespace = '([^/]+)';
  const id = '([0-9a-f]+)';
  return [
    ['POST', new RegExp(`^/api/jobs/${namespace}$`), (ctx) => {
      if (!owned(ctx, jobs, ctx.match[1]!)) return;
      const spec = JSON.parse(ctx.body.toString('utf8')) as Record<string, unknown>;
      jobs.submissions.push(spec);
      if (typeof spec.dockerImage !== 'string' || !Array.isArray(spec.command) || typeof spec.flavor !== 'string') {
        return sendError(ctx.res, 400, undefined, 'dockerImage, command and flavor are required');
      }
      send(ctx.res, 200, jobs.view(jobs.submit(ctx.match[1]!, spec)));
    }],
    ['GET', new RegExp(`^/api/jobs/${namespace}$`), (ctx) => {
      if (!owned(ctx, jobs, ctx.match[1]!)) return;
      send(ctx.res, 200, [...jobs.jobs.values()].filter((job) => job.namespace === ctx.match[1]).map((job) => jobs.view(job)));
    }],
    ['GET', new RegExp(`^/api/jobs/${namespace}/${id}$`), (ctx) => {
      const job = owned(ctx, jobs, ctx.match[1]!, ctx.match[2]!);
      if (job && job !== true) send(ctx.res, 200, jobs.view(job));
    }],
    ['GET', new RegExp(`^/api/jobs/${namespace}/${id}/logs$`), (ctx) => {
      const job = owned(ctx, jobs, ctx.match[1]!, ctx.match[2]!);
      if (!job || job === true) return;
      ctx.res.writeHead(200, { 'content-type': 'text/event-stream' });
      ctx.res.write(`data: ${JSON.stringify({ data: '===== Job started at 2026-01-01 00:00:00 =====', timestamp: job.createdAt })}\n\n`);
      for (const line of job.logs) ctx.res.write(`data: ${JSON.stringify({ data: line, timestamp: job.createdAt })}\n\n`);
      ctx.res.end();
    }],
    ['POST', new RegExp(`^/api/jobs/${namespace}/${id}/cancel$`), (ctx) => {
      const job = owned(ctx, jobs, ctx.match[1]!, ctx.match[2]!);
      if (!job || job === true) return;
      if (job.stage === 'RUNNING') job.stage = 'CANCELED';
      send(ctx.res, 200, {});
    }],
  ];
}
