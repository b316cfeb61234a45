import { formatWait } from '../lib/format';
import type { ErrorBody } from './types';

/**
 * ApiError is every failure of an API call: an error response in the API's
 * `{error, code, fields}` shape, a response that is not in that shape, or no
 * response at all (status 0, code `network_error`).
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** Field name (dotted for nested keys, e.g. `shippingAddress.city`) → message. */
  readonly fields: Readonly<Record<string, string>>;
  readonly requestId: string | null;
  /** Seconds from `Retry-After`, when the server sent one. */
  readonly retryAfter: number | null;
  /** Whether message is the API's own sentence (an error body in its shape), not one made up here. */
  readonly fromBody: boolean;

  constructor(init: {
    status: number;
    code: string;
    message: string;
    fields?: Record<string, string> | undefined;
    requestId?: string | null;
    retryAfter?: number | null;
    fromBody?: boolean;
  }) {
    super(init.message);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.fields = init.fields ?? {};
    this.requestId = init.requestId ?? null;
    this.retryAfter = init.retryAfter ?? null;
    this.fromBody = init.fromBody ?? false;
  }

  get isUnauthorized(): boolean {
    return this.status === 401;
  }
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}

/** Generic codes by status, for bodies that are not in the API's error shape. */
const codeByStatus: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthorized',
  404: 'not_found',
  409: 'conflict',
  412: 'precondition_failed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  503: 'upstream_unavailable',
};

function isErrorBody(v: unknown): v is ErrorBody {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  if (typeof o.error !== 'string' || typeof o.code !== 'string') return false;
  if (o.fields === undefined) return true;
  return (
    typeof o.fields === 'object' &&
    o.fields !== null &&
    Object.values(o.fields).every((m) => typeof m === 'string')
  );
}

/** apiErrorFromResponse turns an error response (already read as text) into an ApiError. */
export function apiErrorFromResponse(res: Response, text: string): ApiError {
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  const retry = Number.parseInt(res.headers.get('Retry-After') ?? '', 10);
  const common = {
    status: res.status,
    requestId: res.headers.get('X-Request-Id'),
    retryAfter: Number.isFinite(retry) && retry > 0 ? retry : null,
  };
  if (isErrorBody(body)) {
    return new ApiError({ ...common, code: body.code, message: body.error, fields: body.fields, fromBody: true });
  }
  return new ApiError({
    ...common,
    code: codeByStatus[res.status] ?? (res.status >= 500 ? 'internal' : 'http_error'),
    message: `The server answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}.`,
  });
}

/** describeError is the sentence a member sees for a failed call. */
export function describeError(err: unknown): string {
  if (!isApiError(err)) return 'Something went wrong. Please try again.';
  switch (err.code) {
    case 'network_error':
      return 'We could not reach the server. Check your connection and try again.';
    case 'rate_limited': {
      // The server's own sentence says what was limited ("Too many verification emails…"); Retry-After when.
      const what = err.fromBody && err.message ? err.message : 'Too many requests.';
      return `${what} ${err.retryAfter ? `You can try again in ${formatWait(err.retryAfter)}.` : 'Please wait a moment and try again.'}`;
    }
    case 'upstream_unavailable':
      return 'A service we depend on is not answering right now. Please try again in a moment.';
    case 'internal':
      return `Something went wrong on our side.${err.requestId ? ` (Reference: ${err.requestId})` : ''}`;
    default:
      return err.message || 'Something went wrong. Please try again.';
  }
}

/**
 * describeServerError is describeError with the API's own words where a generic sentence would hide them: a
 * 503 the API itself sent says what is unavailable (and when to try again), and a validation failure adds its
 * field messages (the API's "could not be verified" says why only in `fields`).
 */
export function describeServerError(err: unknown): string {
  if (!isApiError(err) || !err.fromBody) return describeError(err);
  switch (err.code) {
    case 'upstream_unavailable':
      return `${err.message}${err.retryAfter ? ` You can try again in ${formatWait(err.retryAfter)}.` : ''}`;
    case 'validation_failed':
      return [err.message, ...Object.values(err.fields).filter((m) => m !== err.message)].join(' ');
    default:
      return describeError(err);
  }
}
