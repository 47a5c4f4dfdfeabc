// The Hugging Face Jobs API through our Hub client (the wire format of huggingface_hub's jobs client):
// POST /api/jobs/{namespace} (a job spec), GET /api/jobs/{namespace}[/{id}], GET .../{id}/logs (an
// event stream of `data: {"data": line, "timestamp": ...}`), POST .../{id}/cancel.
import { z } from 'zod';
import { HubError, type HubClient } from '../hub/client.js';

/** Stages a job reports; RUNNING and UPDATING are not final. */
export const FINAL_STAGES: ReadonlySet<string> = new Set(['COMPLETED', 'CANCELED', 'ERROR', 'DELETED']);

const jobSchema = z.looseObject({
  id: z.string().min(1),
  createdAt: z.string().nullish(),
  dockerImage: z.string().nullish(),
  command: z.array(z.string()).nullish(),
  flavor: z.string().nullish(),
  labels: z.record(z.string(), z.string()).nullish(),
  status: z.looseObject({ stage: z.string(), message: z.string().nullish() }),
  owner: z.looseObject({ name: z.string() }).optional(),
});

export type JobInfo = z.infer<typeof jobSchema>;

/** What a job runs: the body of POST /api/jobs/{namespace}. */
export interface JobSpec {
  dockerImage: string;
  command: string[];
  arguments: string[];
  environment: Record<string, string>;
  /** Encrypted by the Hub, given to the job as environment variables; never echoed back in clear. */
  secrets?: Record<string, string>;
  flavor: string;
  timeoutSeconds?: number;
  labels?: Record<string, string>;
}

function parsed<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new HubError(`Hub ${what}: unexpected answer (${result.error.issues[0]!.path.join('.')}: ${result.error.issues[0]!.message})`, 'server');
  return result.data;
}

export class JobsApi {
  constructor(
    private readonly client: HubClient,
    readonly namespace: string,
  ) {}

  /** https://huggingface.co/jobs/{namespace}/{id} */
  jobUrl(id: string): string {
    return `${this.client.hubUrl}/jobs/${this.namespace}/${id}`;
  }

  private path(id?: string, route?: string): string {
    return `/api/jobs/${encodeURIComponent(this.namespace)}${id ? `/${encodeURIComponent(id)}` : ''}${route ? `/${route}` : ''}`;
  }

  /** Submits a job (never retried: a retry could start it twice). */
  async run(spec: JobSpec): Promise<JobInfo> {
    const response = await this.client.apiRequest('POST', this.path(), { action: 'run job', body: spec, once: true });
    return parsed(jobSchema, await response.json(), 'run job');
  }

  async inspect(id: string): Promise<JobInfo> {
    const response = await this.client.apiRequest('GET', this.path(id), { action: `inspect job ${id}` });
    return parsed(jobSchema, await response.json(), 'inspect job');
  }

  async list(): Promise<JobInfo[]> {
    const response = await this.client.apiRequest('GET', this.path(), { action: 'list jobs' });
    return parsed(z.array(jobSchema), await response.json(), 'list jobs');
  }

  async cancel(id: string): Promise<void> {
    const response = await this.client.apiRequest('POST', this.path(id, 'cancel'), { action: `cancel job ${id}` });
    await response.body?.cancel();
  }

  /** The log lines available now (the stream is read until the server ends it). */
  async logs(id: string): Promise<string[]> {
    const response = await this.client.apiRequest('GET', this.path(id, 'logs'), { action: `logs of job ${id}` });
    const lines: string[] = [];
    for (const line of (await response.text()).split('\n')) {
      if (!line.startsWith('data: {')) continue;
      try {
        const event = JSON.parse(line.slice('data: '.length)) as { data?: unknown };
        if (typeof event.data === 'string' && !event.data.startsWith('===== Job started')) lines.push(event.data);
      } catch {
        // a line cut by the server: skipped, as huggingface_hub does
      }
    }
    return lines;
  }
}
