import { HubApiError } from '@huggingface/hub';
import { StartupError } from '../errors.js';

export type HubErrorKind =
  | 'auth' // 401: no token, or the token was rejected
  | 'forbidden' // 403: the token lacks the permission (e.g. a read token pushing)
  | 'gated' // 401/403 on a gated repo without granted access
  | 'not-found' // 404: the repo (or file) does not exist or is private
  | 'revision-not-found'
  | 'conflict' // 409/412
  | 'server' // 429, 5xx
  | 'network' // the Hub could not be reached
  | 'other';

/** A failed Hub call with a message that says what to do. Exit code 1 unless a caller maps it. */
export class HubError extends StartupError {
  constructor(
    message: string,
    readonly kind: HubErrorKind,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface HubCallContext {
  /** e.g. "create dataset", "download". */
  action: string;
  repo?: string;
  /** Default 'dataset'. */
  repoType?: 'dataset' | 'model';
  revision?: string;
  path?: string;
  hubUrl: string;
  hasToken: boolean;
  /** X-Error-Code of the failed response (RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo). */
  errorCode?: string;
}

/** The server's message without the library's ". URL: …" trailer. */
function serverMessage(error: HubApiError): string {
  return error.message.replace(/\.\s*URL: .*$/s, '').trim();
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

function isNetworkError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'TypeError' && /fetch failed|terminated|socket/i.test(error.message)) return true;
  const code = (error as NodeJS.ErrnoException).code ?? ((error.cause as NodeJS.ErrnoException | undefined)?.code);
  return code !== undefined && NETWORK_CODES.has(code);
}

/** Whether a retry may help: 429, 5xx and network errors (and 409 on commits, a lock race). */
export function isRetryable(error: unknown, allowConflict = false): boolean {
  if (error instanceof HubError) return error.kind === 'server' || error.kind === 'network' || (allowConflict && error.status === 409);
  return false;
}

/** Turns a library or network error into a HubError with an actionable message. */
export function classifyHubError(error: unknown, context: HubCallContext): HubError {
  if (error instanceof HubError) return error;
  const target = context.repo ? `${context.repo}${context.path ? `/${context.path}` : ''}` : context.hubUrl;
  const prefix = `Hub ${context.action} ${target}`;
  if (isNetworkError(error)) {
    const cause = (error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message;
    return new HubError(`${prefix}: cannot reach the Hub at ${context.hubUrl} (${cause})`, 'network');
  }
  if (!(error instanceof HubApiError)) {
    return new HubError(`${prefix}: ${error instanceof Error ? error.message : String(error)}`, 'other');
  }
  const status = error.statusCode;
  const detail = serverMessage(error);
  const code = context.errorCode;
  const gated = code === 'GatedRepo' || /is restricted|gated (repo|dataset)/i.test(detail);
  const kind = context.repoType ?? 'dataset';
  const page = context.repo ? `${context.hubUrl}/${kind === 'dataset' ? 'datasets/' : ''}${context.repo}` : context.hubUrl;
  const login = 'set HF_TOKEN, pass --hf-token-file, or run `hf auth login`';
  if ((status === 401 || status === 403) && gated) {
    return new HubError(
      `${prefix}: the ${kind} is gated; request access at ${page} with the account of your token${context.hasToken ? '' : ` and give a token (${login})`}`,
      'gated',
      status,
    );
  }
  if (status === 401) {
    const message = context.hasToken
      ? `${prefix}: the Hub rejected the token (401: ${detail}); it may be invalid, expired, or lack access to this private repo`
      : `${prefix}: not found, or private and no Hub token was given (401); ${login}`;
    return new HubError(message, 'auth', status);
  }
  if (status === 403) {
    return new HubError(`${prefix}: the token is not allowed to do this (403: ${detail}); use a token with write access to the namespace`, 'forbidden', status);
  }
  if (status === 404) {
    if (code === 'RevisionNotFound' || /invalid rev|revision/i.test(detail)) {
      return new HubError(`${prefix}: revision '${context.revision ?? '?'}' not found`, 'revision-not-found', status);
    }
    if (code === 'EntryNotFound') return new HubError(`${prefix}: file not found`, 'not-found', status);
    const why = context.hasToken ? 'or it is private and the token has no access' : `or it is private and needs a token (${login})`;
    return new HubError(`${prefix}: repository not found (404), ${why}`, 'not-found', status);
  }
  if (status === 409 || status === 412) return new HubError(`${prefix}: conflict (${status}: ${detail})`, 'conflict', status);
  if (status === 429 || status >= 500) return new HubError(`${prefix}: the Hub answered ${status} (${detail})`, 'server', status);
  return new HubError(`${prefix}: the Hub answered ${status} (${detail})`, 'other', status);
}
