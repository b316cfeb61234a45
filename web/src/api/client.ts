// The one typed API client. Every call goes through request(), which adds the
// member's bearer token, sends JSON, and turns any error response into an
// ApiError. Payload types come from schema.d.ts (generated from
// api/openapi.yaml); components never call fetch themselves — they use the
// hooks in queries.ts, which use this client.
import { ApiError, apiErrorFromResponse } from './errors';
import type { paths } from './schema';
import type { EmailVerifyRequest, ListNFTsQuery, ListOrdersQuery, ProfileUpdate, WalletVerifyRequest } from './types';

type Method = 'get' | 'put' | 'post';

/** Ok is the JSON body of an operation's 200 response, straight from the generated types. */
type Ok<P extends keyof paths, M extends Method> = paths[P][M] extends {
  responses: { 200: { content: { 'application/json': infer T } } };
}
  ? T
  : never;

export type ProfilePayload = Ok<'/dashboard/profile', 'get'>;
export type ProfileUpdatePayload = Ok<'/dashboard/profile', 'put'>;
export type EmailVerifyPayload = Ok<'/dashboard/profile/email/verify', 'post'>;
export type OrderListPayload = Ok<'/dashboard/orders', 'get'>;
export type OrderPayload = Ok<'/dashboard/orders/{orderId}', 'get'>;
export type NFTListPayload = Ok<'/dashboard/nfts', 'get'>;
export type WalletChallengePayload = Ok<'/dashboard/wallet/challenge', 'post'>;
export type WalletVerifyPayload = Ok<'/dashboard/wallet/verify', 'post'>;

export interface ApiClientOptions {
  /** Origin (and optional prefix) of the API; '' means the page's own origin. */
  baseUrl?: string;
  /** The member's bearer token, read at each call. */
  getToken: () => string | null;
  /** Called with every 401, before the error is thrown. */
  onUnauthorized?: (err: ApiError) => void;
}

interface RequestOptions {
  query?: Record<string, string | number | undefined | null>;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
}

export type ApiClient = ReturnType<typeof createApiClient>;

/** ifMatchFor is the If-Match value for a profile version (its updatedAt), as the ETag the server sends. */
export function ifMatchFor(updatedAt: string | null): string | null {
  return updatedAt ? `"${updatedAt}"` : null;
}

export function createApiClient(options: ApiClientOptions) {
  const base = (options.baseUrl ?? '').replace(/\/+$/, '');

  async function request<T>(method: 'GET' | 'PUT' | 'POST', path: string, opts: RequestOptions = {}): Promise<T> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
    }
    const qs = params.toString();
    const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
    const token = options.getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json; charset=utf-8';
      body = JSON.stringify(opts.body);
    }

    let res: Response;
    try {
      // globalThis.fetch is looked up at each call, so a test can stub it.
      res = await globalThis.fetch(`${base}${path}${qs ? `?${qs}` : ''}`, {
        method,
        headers,
        body,
        signal: opts.signal,
        credentials: 'omit',
      });
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') throw err;
      throw new ApiError({ status: 0, code: 'network_error', message: 'The server could not be reached.' });
    }
    const text = await res.text();
    if (!res.ok) {
      const err = apiErrorFromResponse(res, text);
      if (err.isUnauthorized) options.onUnauthorized?.(err);
      throw err;
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError({
        status: res.status,
        code: 'invalid_response',
        message: 'The server sent a response we could not read.',
        requestId: res.headers.get('X-Request-Id'),
      });
    }
  }

  return {
    getProfile(signal?: AbortSignal) {
      return request<ProfilePayload>('GET', '/dashboard/profile', { signal });
    },
    /** updateProfile sends a partial update, conditional on the version the member edited. */
    updateProfile(update: ProfileUpdate, updatedAt: string | null) {
      const ifMatch = ifMatchFor(updatedAt);
      return request<ProfileUpdatePayload>('PUT', '/dashboard/profile', {
        body: update,
        headers: ifMatch ? { 'If-Match': ifMatch } : {},
      });
    },
    /** verifyEmail confirms the member's pending email change with the code mailed to the new address. */
    verifyEmail(body: EmailVerifyRequest) {
      return request<EmailVerifyPayload>('POST', '/dashboard/profile/email/verify', { body });
    },
    listOrders(query: ListOrdersQuery, signal?: AbortSignal) {
      return request<OrderListPayload>('GET', '/dashboard/orders', { query: { ...query }, signal });
    },
    getOrder(orderId: string, signal?: AbortSignal) {
      return request<OrderPayload>('GET', `/dashboard/orders/${encodeURIComponent(orderId)}`, { signal });
    },
    listNFTs(query: ListNFTsQuery, signal?: AbortSignal) {
      return request<NFTListPayload>('GET', '/dashboard/nfts', { query: { ...query }, signal });
    },
    createWalletChallenge() {
      return request<WalletChallengePayload>('POST', '/dashboard/wallet/challenge');
    },
    verifyWallet(body: WalletVerifyRequest) {
      return request<WalletVerifyPayload>('POST', '/dashboard/wallet/verify', { body });
    },
  };
}
