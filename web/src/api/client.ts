// The one typed API client. Every call goes through request(), which adds the
// member's bearer token, sends JSON, and turns any error response into an
// ApiError. Payload types come from schema.d.ts (generated from
// api/openapi.yaml); components never call fetch themselves — they use the
// hooks in queries.ts, which use this client.
import { filenameFromDisposition } from '../lib/download';
import { ApiError, apiErrorFromResponse } from './errors';
import type { paths } from './schema';
import type {
  CheckoutEmailRequest,
  CheckoutEmailVerifyRequest,
  EmailVerifyRequest,
  ListNFTsQuery,
  ListOrdersQuery,
  ProfileUpdate,
  WalletChallengeRequest,
  WalletVerifyRequest,
} from './types';

type Method = 'get' | 'put' | 'post' | 'delete';

/** Body is the JSON body of an operation's response with the given status, straight from the generated types. */
type Body<P extends keyof paths, M extends Method, S extends number> = paths[P][M] extends {
  responses: { [K in S]: { content: { 'application/json': infer T } } };
}
  ? T
  : never;

/** Ok is the JSON body of an operation's 200 response. */
type Ok<P extends keyof paths, M extends Method> = Body<P, M, 200>;

export type ProfilePayload = Ok<'/dashboard/profile', 'get'>;
export type ProfileUpdatePayload = Ok<'/dashboard/profile', 'put'>;
export type EmailVerifyPayload = Ok<'/dashboard/profile/email/verify', 'post'>;
export type OrderListPayload = Ok<'/dashboard/orders', 'get'>;
export type OrderPayload = Ok<'/dashboard/orders/{orderId}', 'get'>;
export type NFTListPayload = Ok<'/dashboard/nfts', 'get'>;
export type WalletListPayload = Ok<'/dashboard/wallets', 'get'>;
export type WalletChallengePayload = Ok<'/dashboard/wallets/challenge', 'post'>;
export type WalletVerifyPayload = Ok<'/dashboard/wallets/verify', 'post'>;
export type CheckoutEmailListPayload = Ok<'/dashboard/emails', 'get'>;
/** The 202 of adding a checkout email: it waits for the code mailed to it. */
export type CheckoutEmailPendingPayload = Body<'/dashboard/emails', 'post', 202>;
export type CheckoutEmailVerifiedPayload = Ok<'/dashboard/emails/verify', 'post'>;

/** DataExport is the member's export as the server sent it, and the file name it suggested (if readable). */
export interface DataExport {
  blob: Blob;
  filename: string | null;
}

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

  /** send makes the call and returns a successful response, unread; any failure is thrown as an ApiError. */
  async function send(method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, opts: RequestOptions = {}): Promise<Response> {
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
    if (!res.ok) {
      const err = apiErrorFromResponse(res, await res.text());
      if (err.isUnauthorized) options.onUnauthorized?.(err);
      throw err;
    }
    return res;
  }

  /** request makes the call and reads its JSON body (none for a 204). */
  async function request<T>(method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await send(method, path, opts);
    if (res.status === 204) return undefined as T;
    const text = await res.text();
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
    listWallets(signal?: AbortSignal) {
      return request<WalletListPayload>('GET', '/dashboard/wallets', { signal });
    },
    /** createWalletChallenge adds address to the member's wallets (unverified) if new, and returns the message to sign. */
    createWalletChallenge(body: WalletChallengeRequest) {
      return request<WalletChallengePayload>('POST', '/dashboard/wallets/challenge', { body });
    },
    verifyWallet(body: WalletVerifyRequest) {
      return request<WalletVerifyPayload>('POST', '/dashboard/wallets/verify', { body });
    },
    /** deleteWallet removes one of the member's wallets; its NFTs go with it. */
    deleteWallet(address: string) {
      return request<void>('DELETE', `/dashboard/wallets/${encodeURIComponent(address)}`);
    },
    listCheckoutEmails(signal?: AbortSignal) {
      return request<CheckoutEmailListPayload>('GET', '/dashboard/emails', { signal });
    },
    /** addCheckoutEmail adds an address unverified and has a code mailed to it; for one already pending, a new code. */
    addCheckoutEmail(body: CheckoutEmailRequest) {
      return request<CheckoutEmailPendingPayload>('POST', '/dashboard/emails', { body });
    },
    verifyCheckoutEmail(body: CheckoutEmailVerifyRequest) {
      return request<CheckoutEmailVerifiedPayload>('POST', '/dashboard/emails/verify', { body });
    },
    deleteCheckoutEmail(email: string) {
      return request<void>('DELETE', `/dashboard/emails/${encodeURIComponent(email)}`);
    },
    /**
     * exportData downloads the member's data. It is read as a Blob, not parsed: it goes to a file as the
     * server wrote it.
     */
    async exportData(signal?: AbortSignal): Promise<DataExport> {
      const res = await send('GET', '/dashboard/export', { signal });
      const blob = await res.blob();
      return { blob, filename: filenameFromDisposition(res.headers.get('Content-Disposition')) };
    },
  };
}
